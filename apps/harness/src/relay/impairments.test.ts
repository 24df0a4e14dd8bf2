import { describe, expect, it } from 'vitest';
import { Link, NO_IMPAIRMENTS } from './impairments.js';

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

describe('Link', () => {
  it('passes packets untouched by default', () => {
    const l = new Link(NO_IMPAIRMENTS);
    expect(l.schedule(10, 1200)).toBe(10);
  });

  it('delays every packet and keeps order under jitter', () => {
    const l = new Link({ ...NO_IMPAIRMENTS, delayMs: 20, jitterMs: 10 }, rng(1));
    let last = 0;
    for (let t = 0; t < 1000; t += 1) {
      const d = l.schedule(t, 100)!;
      expect(d).toBeGreaterThanOrEqual(t + 20);
      expect(d).toBeGreaterThanOrEqual(last);
      last = d;
    }
  });

  it('loses about the configured share at random', () => {
    const l = new Link({ ...NO_IMPAIRMENTS, lossPct: 5 }, rng(2));
    for (let i = 0; i < 20_000; i++) l.schedule(i, 100);
    expect(l.counts.lost / 20_000).toBeGreaterThan(0.045);
    expect(l.counts.lost / 20_000).toBeLessThan(0.055);
  });

  it('loses in bursts with Gilbert–Elliott', () => {
    const l = new Link({ ...NO_IMPAIRMENTS, burstEnterPct: 1, burstExitPct: 25 }, rng(3));
    const lost: boolean[] = [];
    for (let i = 0; i < 50_000; i++) lost.push(l.schedule(i, 100) === undefined);
    // Stationary loss = enter / (enter + exit) = 1/26 ≈ 3.8%, mean burst length 1/exit = 4.
    const rate = lost.filter(Boolean).length / lost.length;
    expect(rate).toBeGreaterThan(0.03);
    expect(rate).toBeLessThan(0.047);
    let bursts = 0;
    for (let i = 1; i < lost.length; i++) if (lost[i] && !lost[i - 1]) bursts++;
    const meanBurst = lost.filter(Boolean).length / bursts;
    expect(meanBurst).toBeGreaterThan(3);
    expect(meanBurst).toBeLessThan(5);
  });

  it('caps the rate and drops what waits too long', () => {
    // 800 kbit/s: a 1000-byte packet takes 10 ms.
    const l = new Link({ ...NO_IMPAIRMENTS, rateKbps: 800, queueMs: 50 });
    expect(l.schedule(0, 1000)).toBe(10);
    expect(l.schedule(0, 1000)).toBe(20);
    for (let i = 0; i < 10; i++) l.schedule(0, 1000);
    expect(l.counts.queueDrops).toBeGreaterThan(0);
  });
});
