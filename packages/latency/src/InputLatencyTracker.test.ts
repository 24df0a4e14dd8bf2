import { describe, expect, it } from 'vitest';
import { ClockSync } from './ClockSync.js';
import { InputLatencyTracker } from './InputLatencyTracker.js';
import { MARKER } from './marker.js';
import type { LatencySample } from './segments.js';

/** Server clock = client + 500 ms; a clean 2 ms round trip. */
function syncedClock(): ClockSync {
  const c = new ClockSync();
  c.add({ t0: 0, t1: 501, t2: 501, t3: 2 });
  return c;
}

function setup() {
  const samples: LatencySample[] = [];
  const t = new InputLatencyTracker({ clock: syncedClock(), onSample: (s) => samples.push(s) });
  return { t, samples };
}

const frame = (marker: number | undefined, receiveTime: number) => ({
  marker,
  receiveTime,
  presentationTime: receiveTime + 5,
  expectedDisplayTime: receiveTime + 12,
  processingDuration: 3,
});

const timing = (seq: number, markId: number, sentAt: number) => ({
  seq,
  markId,
  receivedAt: sentAt + 500 + 2,
  appliedAt: sentAt + 500 + 4,
  capturedAt: sentAt + 500 + 30,
  encodedAt: sentAt + 500 + 35,
});

describe('InputLatencyTracker', () => {
  it('matches timing then frame', () => {
    const { t, samples } = setup();
    t.sent(1, 'touch:start', 1000);
    t.timing(timing(1, MARKER.modulo + 300, 1000));
    expect(samples).toHaveLength(0);
    t.frame(frame(300, 1040));
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ seq: 1, kind: 'touch:start', total: 52 });
    expect(samples[0]!.segments).toMatchObject({
      uplink: 2,
      inject: 2,
      renderCapture: 26,
      encode: 5,
      network: 5,
    });
    expect(samples[0]!.residual).toBeCloseTo(0, 9);
    expect(t.pending).toBe(0);
  });

  it('matches frame then timing (timing arrives late)', () => {
    const { t, samples } = setup();
    t.sent(2, 'key:down', 1000);
    t.frame(frame(7, 1030));
    t.frame(frame(7, 1063));
    t.timing(timing(2, 7, 1000));
    expect(samples.map((s) => s.total)).toEqual([42]);
  });

  it('ignores frames from before the input and frames without a marker', () => {
    const { t, samples } = setup();
    t.frame(frame(9, 990)); // same value, but received before the input was sent
    t.sent(3, 'text', 1000);
    t.timing(timing(3, 9, 1000));
    t.frame(frame(undefined, 1020));
    expect(samples).toHaveLength(0);
    t.frame(frame(9, 1050));
    expect(samples).toHaveLength(1);
  });

  it('resolves an input whose own frame was skipped at the next frame with a later marker', () => {
    const { t, samples } = setup();
    t.sent(4, 'pointer:down', 1000);
    t.sent(5, 'pointer:up', 1001);
    t.timing(timing(4, MARKER.modulo - 1, 1000));
    t.timing(timing(5, MARKER.modulo + 2, 1001)); // ids are stamps: they skip values
    t.frame(frame(2, 1040)); // shows the second (wrapped): both inputs are in it
    expect(samples.map((s) => s.seq).sort()).toEqual([4, 5]);
  });

  it('drops inputs that never show up, and timings for inputs it did not send', () => {
    const { t, samples } = setup();
    t.timing(timing(99, 1, 0));
    t.sent(6, 'touch:move', 1000);
    t.frame(frame(50, 5000));
    expect(samples).toHaveLength(0);
    expect(t.counts).toEqual({ sent: 1, matched: 0, expired: 1 });
  });

  it('ages inputs out on frames without a marker too', () => {
    const { t } = setup();
    t.sent(7, 'touch:move', 1000);
    t.frame(frame(undefined, 5000));
    expect(t.pending).toBe(0);
    expect(t.counts.expired).toBe(1);
  });

  describe('frame gap: how much earlier the effect may have shown', () => {
    /** A frame with rVFC's presentedFrames counter and the previous callback's frame. */
    const counted = (
      marker: number | undefined,
      receiveTime: number,
      pf: number,
      previous?: { presentedFrames: number; receiveTime: number },
    ) => ({ ...frame(marker, receiveTime), presentedFrames: pf, previous });

    it('is 0 when the frame just before was read and showed an older marker', () => {
      const { t, samples } = setup();
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(counted(8, 1020, 50));
      t.frame(counted(9, 1053, 51, { presentedFrames: 50, receiveTime: 1020 }));
      expect(samples[0]).toMatchObject({ total: 65, frameGap: 0 });
    });

    it('is 0 when the frame just before was received before the input was sent, read or not', () => {
      const { t, samples } = setup();
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(counted(9, 1053, 51, { presentedFrames: 50, receiveTime: 990 }));
      expect(samples[0]).toMatchObject({ total: 65, frameGap: 0 });
    });

    it('reaches back to the last frame read without the input when frames went by unread', () => {
      const { t, samples } = setup();
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(counted(8, 1020, 50)); // displayed at 1032
      // Frames 51..53 were presented while the page was busy; 54 is the first one read.
      t.frame(counted(9, 1153, 54, { presentedFrames: 50, receiveTime: 1020 }));
      expect(samples[0]).toMatchObject({ total: 165, frameGap: 1165 - 1032 });
    });

    it('counts a frame whose marker could not be read as a frame that may have shown it', () => {
      const { t, samples } = setup();
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(counted(8, 1020, 50));
      t.frame(counted(undefined, 1053, 51, { presentedFrames: 50, receiveTime: 1020 }));
      t.frame(counted(9, 1086, 52, { presentedFrames: 51, receiveTime: 1053 }));
      expect(samples[0]).toMatchObject({ total: 98, frameGap: 1098 - 1032 });
    });

    it('reaches back no further than the send', () => {
      const { t, samples } = setup();
      t.frame(counted(8, 500, 10));
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(counted(9, 1086, 40, { presentedFrames: 30, receiveTime: 900 }));
      expect(samples[0]).toMatchObject({ total: 98, frameGap: 98 });
    });

    it('is 0 when the browser does not count presented frames', () => {
      const { t, samples } = setup();
      t.sent(1, 'touch:start', 1000);
      t.timing(timing(1, 9, 1000));
      t.frame(frame(9, 1153));
      expect(samples[0]).toMatchObject({ frameGap: 0 });
    });
  });

  it('waits for a clock estimate', () => {
    const samples: LatencySample[] = [];
    const clock = new ClockSync();
    const t = new InputLatencyTracker({ clock, onSample: (s) => samples.push(s) });
    t.sent(1, 'text', 1000);
    t.timing(timing(1, 1, 1000));
    t.frame(frame(1, 1040));
    expect(samples).toHaveLength(0);
    clock.add({ t0: 0, t1: 501, t2: 501, t3: 2 });
    t.frame(frame(1, 1041));
    expect(samples).toHaveLength(1);
  });
});
