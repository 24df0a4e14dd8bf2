import { MARKER } from '@offload/latency';
import type { LatencySampleWire, Ping } from '@offload/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FrameMetadata, inputKind, LatencyMonitor, type VideoFrameSource } from './LatencyMonitor';

const ORIGIN = 1_000_000;

/** A video whose frames the test presents by hand. */
class FakeVideo implements VideoFrameSource {
  callbacks = new Map<number, (now: number, md: FrameMetadata) => void>();
  #next = 1;
  requestVideoFrameCallback(cb: (now: number, md: FrameMetadata) => void): number {
    const h = this.#next++;
    this.callbacks.set(h, cb);
    return h;
  }
  cancelVideoFrameCallback(h: number): void {
    this.callbacks.delete(h);
  }
  /** Presents one frame, times in ms since ORIGIN. */
  present(md: Partial<FrameMetadata> & { presentationTime: number }) {
    const cbs = [...this.callbacks.values()];
    this.callbacks.clear();
    const full = { width: 390, height: 844, expectedDisplayTime: md.presentationTime + 8, ...md };
    for (const cb of cbs) cb(md.presentationTime, full);
  }
}

function setup(opts: { pingOpen?: boolean } = {}) {
  const pings: Ping[] = [];
  const reports: LatencySampleWire[][] = [];
  const channelOpen = opts.pingOpen ?? true;
  const monitor = new LatencyMonitor({
    sendPing: (p) => {
      if (!channelOpen) return false;
      pings.push(p);
      return true;
    },
    report: (s) => reports.push(s),
    now: () => Date.now(),
    timeOrigin: ORIGIN,
  });
  const video = new FakeVideo();
  const reads: number[] = [];
  return { monitor, pings, reports, video, reads };
}

/** Answers every ping at once as a server whose clock is 42 ms ahead. */
function answerPings(ctx: ReturnType<typeof setup>) {
  for (const p of ctx.pings.splice(0)) {
    ctx.monitor.handleReport({ type: 'pong', id: p.id, t0: p.t0, t1: p.t0 + 42, t2: p.t0 + 42 });
  }
}

describe('LatencyMonitor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(ORIGIN + 10_000);
  });
  afterEach(() => vi.useRealTimers());

  it('pings 5 times at 100 ms once the channel opens, then every second, until it closes', () => {
    const ctx = setup();
    ctx.monitor.pingChannel(true);
    expect(ctx.pings).toHaveLength(1);
    vi.advanceTimersByTime(400);
    expect(ctx.pings).toHaveLength(5);
    vi.advanceTimersByTime(999);
    expect(ctx.pings).toHaveLength(5);
    vi.advanceTimersByTime(1);
    expect(ctx.pings).toHaveLength(6);
    expect(ctx.pings.map((p) => p.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ctx.pings[0]).toEqual({ type: 'ping', id: 0, t0: ORIGIN + 10_000 });
    ctx.monitor.pingChannel(false);
    vi.advanceTimersByTime(5000);
    expect(ctx.pings).toHaveLength(6);
  });

  it('sends no ping before the unreliable channel opens, and none when it cannot carry one', () => {
    const ctx = setup({ pingOpen: false });
    vi.advanceTimersByTime(5000);
    expect(ctx.pings).toHaveLength(0);
    ctx.monitor.pingChannel(true);
    vi.advanceTimersByTime(2000);
    expect(ctx.pings).toHaveLength(0);
    expect(ctx.monitor.counts.pings).toBe(0);
  });

  it('feeds pongs to the clock (t3 = now) and ignores pongs it did not ask for', () => {
    const ctx = setup();
    const clocks: number[] = [];
    ctx.monitor.on('clock', (c) => clocks.push(c.offset));
    ctx.monitor.pingChannel(true);
    const [p] = ctx.pings;
    vi.advanceTimersByTime(4);
    ctx.monitor.handleReport({ type: 'pong', id: p!.id, t0: p!.t0, t1: p!.t0 + 42, t2: p!.t0 + 42 });
    expect(ctx.monitor.clock).toMatchObject({ offset: 40, rtt: 4, samples: 1 });
    expect(clocks).toEqual([40]);
    ctx.monitor.handleReport({ type: 'pong', id: p!.id, t0: p!.t0, t1: 0, t2: 0 }); // duplicate
    ctx.monitor.handleReport({ type: 'pong', id: 99, t0: 1, t1: 2, t2: 3 }); // never sent
    expect(ctx.monitor.counts.pongs).toBe(1);
    expect(ctx.monitor.clock?.samples).toBe(1);
  });

  it('runs the frame loop only while inputs are pending: no callback on an idle stream', () => {
    const ctx = setup();
    ctx.monitor.attachVideo(ctx.video, (f) => {
      ctx.reads.push(f.height);
      return undefined;
    });
    // Idle: no frame callback registered at all (the page's main thread is not woken per frame).
    expect(ctx.video.callbacks.size).toBe(0);
    ctx.video.present({ presentationTime: 10_000 });
    expect(ctx.reads).toEqual([]);
    // An input arms the loop; each frame re-registers while it is pending.
    ctx.monitor.inputSent({ type: 'pointer', action: 'down', x: 0.5, y: 0.5, seq: 0, ts: ORIGIN + 10_000 });
    expect(ctx.video.callbacks.size).toBe(1);
    ctx.monitor.inputSent({ type: 'pointer', action: 'up', x: 0.5, y: 0.5, seq: 1, ts: ORIGIN + 10_010 });
    expect(ctx.video.callbacks.size).toBe(1);
    ctx.video.present({ presentationTime: 10_033 });
    expect(ctx.reads).toEqual([844]);
    expect(ctx.video.callbacks.size).toBe(1);
    // Without a marker the tracker never ages the input out: the monitor stops after 3 s itself,
    // and the loop rests (no callback left).
    vi.advanceTimersByTime(3001);
    ctx.video.present({ presentationTime: 13_050 });
    expect(ctx.reads).toHaveLength(1);
    expect(ctx.monitor.counts.framesRead).toBe(1);
    expect(ctx.video.callbacks.size).toBe(0);
    // The next input wakes it again.
    ctx.monitor.inputSent({ type: 'pointer', action: 'down', x: 0.5, y: 0.5, seq: 2, ts: ORIGIN + 13_100 });
    expect(ctx.video.callbacks.size).toBe(1);
    ctx.video.present({ presentationTime: 13_116 });
    expect(ctx.reads).toHaveLength(2);
  });

  it('joins input, timing and marked frame into a sample with epoch-ms frame times', () => {
    const ctx = setup();
    const samples: number[] = [];
    ctx.monitor.on('sample', (s) => samples.push(s.total));
    ctx.monitor.pingChannel(true);
    answerPings(ctx);
    const detach = ctx.monitor.attachVideo(ctx.video, () => 7);
    const sentAt = ORIGIN + 10_000;
    ctx.monitor.inputSent({ type: 'touch', action: 'start', touches: [], seq: 3, ts: sentAt });
    ctx.monitor.handleReport({
      type: 'input/timing',
      seq: 3,
      markId: 7 + MARKER.modulo,
      // The server clock is 42 ms ahead (answerPings).
      receivedAt: sentAt + 42 + 5,
      appliedAt: sentAt + 42 + 8,
      capturedAt: sentAt + 42 + 20,
      encodedAt: sentAt + 42 + 25,
    });
    ctx.video.present({
      presentationTime: 10_040,
      receiveTime: 10_032,
      expectedDisplayTime: 10_050,
      processingDuration: 0.004,
    });
    expect(samples).toEqual([50]);
    const [s] = ctx.monitor.samples;
    expect(s).toMatchObject({ seq: 3, kind: 'touch:start', sentAt, total: 50 });
    expect(s!.segments).toMatchObject({ decode: 4, jitterBuffer: 4, render: 10, network: 7, uplink: 5 });
    expect(ctx.monitor.counts).toMatchObject({ sent: 1, matched: 1, pending: 0 });
    detach();
    expect(ctx.video.callbacks.size).toBe(0);
  });

  it('reports a frame gap when frames went by without a callback (a starved page)', () => {
    const ctx = setup();
    const gaps: number[] = [];
    ctx.monitor.on('sample', (s) => gaps.push(s.frameGap));
    ctx.monitor.pingChannel(true);
    answerPings(ctx);
    let marker = 6;
    ctx.monitor.attachVideo(ctx.video, () => marker);
    // Idle frames: not read, but counted.
    ctx.video.present({ presentationTime: 9_960, presentedFrames: 100 });
    const sentAt = ORIGIN + 10_000;
    ctx.monitor.inputSent({ type: 'touch', action: 'start', touches: [], seq: 1, ts: sentAt });
    ctx.monitor.handleReport({
      type: 'input/timing',
      seq: 1,
      markId: 7,
      receivedAt: sentAt + 47,
      appliedAt: sentAt + 50,
      capturedAt: sentAt + 60,
      encodedAt: sentAt + 65,
    });
    ctx.video.present({ presentationTime: 10_030, presentedFrames: 101 }); // read: still 6
    marker = 7;
    ctx.video.present({ presentationTime: 10_130, presentedFrames: 104 }); // 102, 103 unseen
    expect(gaps).toEqual([10_138 - 10_038]);
    // The next input's frame follows a read frame directly: exact.
    ctx.monitor.inputSent({ type: 'touch', action: 'end', touches: [], seq: 2, ts: sentAt + 200 });
    ctx.monitor.handleReport({
      type: 'input/timing',
      seq: 2,
      markId: 8,
      receivedAt: sentAt + 247,
      appliedAt: sentAt + 250,
      capturedAt: sentAt + 260,
      encodedAt: sentAt + 265,
    });
    ctx.video.present({ presentationTime: 10_230, presentedFrames: 105 });
    marker = 8;
    ctx.video.present({ presentationTime: 10_263, presentedFrames: 106 });
    expect(gaps).toEqual([100, 0]);
  });

  it('batches reports 2 s after the first new sample, at most 64 per message', () => {
    const ctx = setup();
    ctx.monitor.pingChannel(true);
    answerPings(ctx);
    let marker = 0;
    ctx.monitor.attachVideo(ctx.video, () => marker);
    for (let seq = 0; seq < 70; seq++) {
      const ts = Date.now();
      ctx.monitor.inputSent({ type: 'key', action: 'down', code: 'KeyA', key: 'a', seq, ts });
      ctx.monitor.handleReport({
        type: 'input/timing',
        seq,
        markId: seq,
        receivedAt: ts + 45,
        appliedAt: ts + 46,
        capturedAt: ts + 50,
        encodedAt: ts + 55,
      });
      marker = seq % MARKER.modulo;
      vi.advanceTimersByTime(16);
      ctx.video.present({ presentationTime: ts - ORIGIN + 16, receiveTime: ts - ORIGIN + 10 });
    }
    expect(ctx.monitor.counts.matched).toBe(70);
    expect(ctx.reports).toHaveLength(0);
    vi.advanceTimersByTime(2000);
    expect(ctx.reports.map((r) => r.length)).toEqual([64, 6]);
    expect(ctx.reports[0]![0]).toMatchObject({ seq: 0, kind: 'key:down', total: 24 });
    vi.advanceTimersByTime(10_000);
    expect(ctx.reports).toHaveLength(2); // nothing new, nothing sent
    expect(ctx.monitor.counts.reported).toBe(70);
  });

  it('reset() forgets samples, ledger and clock; close() stops everything', () => {
    const ctx = setup();
    ctx.monitor.pingChannel(true);
    answerPings(ctx);
    ctx.monitor.inputSent({ type: 'text', text: 'x', seq: 0, ts: Date.now() });
    ctx.monitor.reset();
    expect(ctx.monitor.counts).toMatchObject({ sent: 0, pending: 0, pongs: 0 });
    expect(ctx.monitor.clock).toBeNull();
    ctx.monitor.attachVideo(ctx.video, () => undefined);
    ctx.monitor.close();
    ctx.monitor.close();
    expect(ctx.video.callbacks.size).toBe(0);
    const before = ctx.pings.length;
    vi.advanceTimersByTime(5000);
    expect(ctx.pings).toHaveLength(before);
  });
});

describe('inputKind', () => {
  it('is type:action, or the type alone', () => {
    expect(inputKind({ type: 'pointer', action: 'up', x: 0, y: 0, seq: 0, ts: 0 })).toBe('pointer:up');
    expect(inputKind({ type: 'text', text: 'a', seq: 0, ts: 0 })).toBe('text');
    expect(inputKind({ type: 'wheel', x: 0, y: 0, dx: 0, dy: 1, seq: 0, ts: 0 })).toBe('wheel');
  });
});
