import { describe, expect, it } from 'vitest';
import { fmtMs } from './format';

describe('fmtMs', () => {
  it('formats for a glance', () => {
    expect(fmtMs(Number.NaN)).toBe('–');
    expect(fmtMs(null)).toBe('–');
    expect(fmtMs(3.14)).toBe('3.1');
    expect(fmtMs(-0.25)).toBe('-0.3');
    expect(fmtMs(42.6)).toBe('43');
  });
});
