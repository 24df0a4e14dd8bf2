import { describe, expect, it } from 'vitest';
import { buttonBit, pointerMode } from './pointerMode';

describe('pointerMode', () => {
  it('always sends fingers as touch', () => {
    expect(pointerMode('touch', false)).toBe('touch');
    expect(pointerMode('touch', true)).toBe('touch');
  });
  it('sends mouse and pen as touch only to touch apps', () => {
    expect(pointerMode('mouse', true)).toBe('touch');
    expect(pointerMode('pen', true)).toBe('touch');
    expect(pointerMode('mouse', false)).toBe('mouse');
    expect(pointerMode('pen', false)).toBe('mouse');
  });
});

describe('buttonBit', () => {
  it('maps button numbers to buttons bits', () => {
    expect([0, 1, 2, 3, 4, 5, -1].map(buttonBit)).toEqual([1, 4, 2, 8, 16, 0, 0]);
  });
});
