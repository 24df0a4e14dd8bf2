import { describe, expect, it } from 'vitest';
import { TouchTracker } from './TouchTracker';

const p = (x: number, y: number) => ({ x, y });

describe('TouchTracker', () => {
  it('gives small stable ids, lowest free first', () => {
    const t = new TouchTracker();
    expect(t.start(1001, p(0.1, 0.1))).toBe(0);
    expect(t.start(1002, p(0.2, 0.2))).toBe(1);
    expect(t.start(1003, p(0.3, 0.3))).toBe(2);
    t.end(1002);
    expect(t.start(1004, p(0.4, 0.4))).toBe(1);
    expect(t.touches().map((x) => x.id)).toEqual([0, 1, 2]);
  });

  it('updates positions without changing ids', () => {
    const t = new TouchTracker();
    t.start(7, p(0, 0));
    t.start(8, p(1, 1));
    expect(t.move(8, p(0.5, 0.6))).toBe(true);
    expect(t.touches()).toEqual([
      { id: 0, x: 0, y: 0 },
      { id: 1, x: 0.5, y: 0.6 },
    ]);
  });

  it('ignores fingers it never started', () => {
    const t = new TouchTracker();
    expect(t.move(9, p(0, 0))).toBe(false);
    expect(t.end(9)).toBe(false);
    expect(t.touches()).toEqual([]);
  });

  it('empties on the last end', () => {
    const t = new TouchTracker();
    t.start(1, p(0, 0));
    t.end(1);
    expect(t.size).toBe(0);
    expect(t.touches()).toEqual([]);
  });
});
