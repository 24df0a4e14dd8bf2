import { describe, expect, it } from 'vitest';
import { ClockSync } from './ClockSync.js';

/** A simulated link: server clock = client clock × (1 + drift) + skew; delays per direction. */
function exchange(clientT0: number, skew: number, drift: number, up: number, down: number, hold = 0.2) {
  const server = (c: number) => c * (1 + drift) + skew;
  const t1 = server(clientT0 + up);
  const t2 = t1 + hold;
  const t3 = clientT0 + up + hold + down;
  return { t0: clientT0, t1, t2, t3 };
}

/** Deterministic pseudo-random numbers (tests must not flake). */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('ClockSync', () => {
  it('recovers a fixed skew on a symmetric link', () => {
    const c = new ClockSync();
    for (let i = 0; i < 10; i++) c.add(exchange(1000 + i * 1000, 123_456.7, 0, 5, 5));
    const e = c.estimate()!;
    expect(e.offset).toBeCloseTo(123_456.7, 3);
    expect(e.rtt).toBeCloseTo(10, 6);
  });

  it('under jitter, picks the least-delayed exchange and its error stays within the bound', () => {
    const r = rng(7);
    const c = new ClockSync();
    const skew = -50_000;
    for (let i = 0; i < 50; i++) {
      // 2 ms base each way plus up to 40 ms of one-sided queueing.
      c.add(exchange(i * 200, skew, 0, 2 + r() * 40 * r(), 2 + r() * 40 * r()));
    }
    const e = c.estimate()!;
    expect(Math.abs(e.offset - skew)).toBeLessThanOrEqual(e.errorBound);
    expect(e.errorBound).toBeLessThan(6);
  });

  it('keeps its error within the bound even on an asymmetric link', () => {
    const c = new ClockSync();
    for (let i = 0; i < 5; i++) c.add(exchange(i * 1000, 10, 0, 1, 9));
    const e = c.estimate()!;
    // 4 ms wrong (half the asymmetry), and it says so.
    expect(Math.abs(e.offset - 10)).toBeCloseTo(4, 6);
    expect(Math.abs(e.offset - 10)).toBeLessThanOrEqual(e.errorBound);
  });

  it('follows drift by forgetting old exchanges', () => {
    const drift = 100e-6; // 100 ppm, a bad crystal
    const c = new ClockSync({ windowMs: 10_000 });
    let last = 0;
    for (let t = 0; t <= 600_000; t += 1000) {
      c.add(exchange(t, 0, drift, 3, 3));
      last = t;
    }
    const e = c.estimate()!;
    // True offset now: 600 s × 100 ppm = 60 ms. Within the window it moved by at most 1 ms.
    const truth = (last + 3) * drift;
    expect(Math.abs(e.offset - truth)).toBeLessThanOrEqual(e.errorBound + 1);
    expect(e.samples).toBeLessThanOrEqual(11);
  });

  it('ignores impossible exchanges and converts times', () => {
    const c = new ClockSync();
    expect(c.estimate()).toBeUndefined();
    c.add({ t0: 10, t1: 5, t2: 100, t3: 11 }); // server held longer than the round trip
    expect(c.estimate()).toBeUndefined();
    c.add(exchange(0, 1000, 0, 1, 1));
    expect(c.toClient(2000)).toBeCloseTo(1000, 6);
  });
});
