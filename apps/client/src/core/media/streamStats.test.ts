import { describe, expect, it } from 'vitest';
import { computeStats } from './streamStats';

function report(over: Record<string, unknown> = {}) {
  return [
    {
      id: 'IT01V',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: 10_000,
      bytesReceived: 1_000_000,
      framesDecoded: 600,
      packetsLost: 3,
      frameWidth: 390,
      frameHeight: 844,
      codecId: 'CIT01_102',
      jitterBufferDelay: 3,
      jitterBufferEmittedCount: 600,
      ...over,
    },
    { id: 'CIT01_102', type: 'codec', mimeType: 'video/H264' },
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', currentRoundTripTime: 0.0123, state: 'succeeded', nominated: true },
    { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', timestamp: 10_000, bytesReceived: 5 },
  ];
}

describe('computeStats', () => {
  it('returns null without an inbound video stream', () => {
    expect(computeStats([{ id: 'x', type: 'codec' }], null)).toBeNull();
  });

  it('reads the first report (no rates yet)', () => {
    const r = computeStats(report({ framesPerSecond: 59.6 }), null)!;
    expect(r.stats).toEqual({
      fps: 60,
      framesDecoded: 600,
      bitrateKbps: null,
      packetsLost: 3,
      codec: 'video/H264',
      width: 390,
      height: 844,
      jitterBufferMs: 5,
      rttMs: 12.3,
    });
  });

  it('reports the app picture without the marker strip below it', () => {
    // A 360x640 app: frames are 360x656 at full size, 180x328 on a half-size layer.
    const screen = { width: 360, height: 640 };
    expect(computeStats(report({ frameWidth: 360, frameHeight: 656 }), null, screen)!.stats).toMatchObject({
      width: 360,
      height: 640,
    });
    expect(computeStats(report({ frameWidth: 180, frameHeight: 328 }), null, screen)!.stats).toMatchObject({
      width: 180,
      height: 320,
    });
  });

  it('computes rates from the previous sample', () => {
    const first = computeStats(report(), null)!;
    const second = computeStats(
      report({
        timestamp: 11_000,
        bytesReceived: 1_250_000,
        framesDecoded: 630,
        jitterBufferDelay: 3.3,
        jitterBufferEmittedCount: 630,
      }),
      first.sample,
    )!;
    // 250 kB in 1 s = 2000 kbit/s; 30 frames in 1 s; 0.3 s over 30 frames = 10 ms.
    expect(second.stats.bitrateKbps).toBe(2000);
    expect(second.stats.fps).toBe(30);
    expect(second.stats.jitterBufferMs).toBe(10);
  });

  it('finds the nominated pair without a transport stat', () => {
    const r = report().filter((s) => s.type !== 'transport');
    expect(computeStats(r, null)!.stats.rttMs).toBe(12.3);
  });

  it('accepts a Map-like report (what getStats returns)', () => {
    const map = new Map(report().map((s) => [s.id, s]));
    expect(computeStats(map.values(), null)!.stats.codec).toBe('video/H264');
  });
});
