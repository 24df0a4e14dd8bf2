import type { LatencySample } from '@offload/latency';
import type { LatencySampleWire } from '@offload/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createReportBatcher, toWireSample } from './latencyReport';

const sample = (seq: number, over: Partial<LatencySample> = {}): LatencySample => ({
  seq,
  kind: 'pointer:down',
  sentAt: 1000,
  total: 48.123456789,
  segments: {
    uplink: 1.111111,
    inject: 2.222222,
    renderCapture: 20.123456,
    encode: 5.5,
    network: 3.3333333,
    jitterBuffer: 1.0000001,
    decode: 4.4444,
    render: 10.4,
  },
  residual: 0.000001,
  syncError: 0.25,
  frameGap: 0,
  ...over,
});

describe('latency reports', () => {
  it('rounds to 0.01 ms and drops samples the server would refuse', () => {
    const w = toWireSample(sample(1))!;
    expect(w.total).toBe(48.12);
    expect(w.segments.renderCapture).toBe(20.12);
    expect(w.residual).toBe(0);
    expect(toWireSample(sample(2, { total: -1 }))).toBeNull();
    expect(toWireSample(sample(3, { syncError: Number.NaN }))).toBeNull();
    expect(toWireSample(sample(4, { kind: 'x'.repeat(40) }))!.kind).toHaveLength(32);
  });

  it('splits a batch that would be over the byte limit', () => {
    vi.useFakeTimers();
    const sent: LatencySampleWire[][] = [];
    const b = createReportBatcher({
      send: (s) => sent.push(s),
      timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as number) },
      intervalMs: 2000,
      maxSamples: 64,
      maxBytes: 2000,
    });
    for (let i = 0; i < 20; i++) b.add(sample(i));
    vi.advanceTimersByTime(2000);
    expect(sent.flat().map((s) => s.seq)).toEqual([...Array(20).keys()]);
    for (const batch of sent)
      expect(JSON.stringify({ type: 'latency/report', samples: batch }).length).toBeLessThanOrEqual(2000);
    expect(b.reported).toBe(20);
    vi.useRealTimers();
  });
});
