import { describe, expect, it } from 'vitest';
import { computeSample, SEGMENTS } from './segments.js';

describe('computeSample', () => {
  it('partitions the total, converting across the clock offset', () => {
    // Server clock is 1000 ms ahead of the client's.
    const s = computeSample(
      { seq: 7, kind: 'touch:start', sentAt: 10_000 },
      { receivedAt: 11_003, appliedAt: 11_005, capturedAt: 11_040, encodedAt: 11_046 },
      { receiveTime: 10_049, presentationTime: 10_060, expectedDisplayTime: 10_070, processingDuration: 4 },
      { offset: 1000, errorBound: 0.5 },
    );
    expect(s.total).toBe(70);
    expect(s.segments).toEqual({
      uplink: 3,
      inject: 2,
      renderCapture: 35,
      encode: 6,
      network: 3,
      jitterBuffer: 7,
      decode: 4,
      render: 10,
    });
    expect(Object.keys(s.segments)).toEqual([...SEGMENTS]);
    expect(s.residual).toBeCloseTo(0, 9);
    expect(s.syncError).toBe(0.5);
  });

  it('a wrong offset moves time between uplink and network but not the total', () => {
    const args = [
      { seq: 1, kind: 'key:down', sentAt: 0 },
      { receivedAt: 5, appliedAt: 6, capturedAt: 20, encodedAt: 25 },
      { receiveTime: 30, presentationTime: 35, expectedDisplayTime: 40 },
    ] as const;
    const a = computeSample(...args, { offset: 0, errorBound: 0 });
    const b = computeSample(...args, { offset: 2, errorBound: 2 });
    expect(b.total).toBe(a.total);
    expect(b.segments.uplink).toBe(a.segments.uplink - 2);
    expect(b.segments.network).toBe(a.segments.network + 2);
    expect(b.residual).toBeCloseTo(0, 9);
  });
});
