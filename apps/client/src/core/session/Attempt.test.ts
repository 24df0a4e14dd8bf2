import { describe, expect, it } from 'vitest';
import { Attempts } from './Attempt';

describe('Attempts', () => {
  it('keeps only the latest attempt current', () => {
    const attempts = new Attempts(() => false);
    const a = attempts.next();
    expect(a.current).toBe(true);
    expect(() => a.check()).not.toThrow();
    const b = attempts.next();
    expect(a.current).toBe(false);
    expect(() => a.check()).toThrow('The client was closed.');
    expect(b.current).toBe(true);
    attempts.supersede();
    expect(b.current).toBe(false);
  });

  it('fails every check once the owner closed', () => {
    let closed = false;
    const attempts = new Attempts(() => closed);
    const a = attempts.next();
    closed = true;
    expect(a.current).toBe(true);
    expect(() => a.check()).toThrow('The client was closed.');
  });
});
