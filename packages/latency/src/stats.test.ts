import { describe, expect, it } from 'vitest';
import { histogram, percentile, RollingWindow, summarize } from './stats.js';

describe('percentile', () => {
  it('uses nearest rank', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100, shuffled below
    v.reverse();
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });

  it('summarizes', () => {
    expect(summarize([3, 1, 2, 10])).toEqual({
      count: 4,
      min: 1,
      mean: 4,
      p50: 2,
      p95: 10,
      p99: 10,
      max: 10,
    });
    expect(summarize([]).count).toBe(0);
  });
});

describe('histogram', () => {
  it('puts each value in the first bucket whose edge holds it', () => {
    const h = histogram([0.5, 1, 1.5, 40, 41, 5000], [1, 2, 50]);
    expect(h).toEqual([
      { le: 1, count: 2 },
      { le: 2, count: 1 },
      { le: 50, count: 2 },
      { le: Number.POSITIVE_INFINITY, count: 1 },
    ]);
  });
});

describe('RollingWindow', () => {
  it('keeps the newest items', () => {
    const w = new RollingWindow<number>(3);
    for (let i = 0; i < 5; i++) w.push(i);
    expect(w.items).toEqual([2, 3, 4]);
    expect(w.size).toBe(3);
  });
});
