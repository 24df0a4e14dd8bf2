import type { ClockSync } from './ClockSync.js';
import { MARKER } from './marker.js';
import { computeSample, type FrameTimes, type LatencySample, type ServerInputTimes } from './segments.js';
import { RollingWindow } from './stats.js';

/** What the server reports of one input once a captured frame showed it (server clock). */
export interface InputTiming extends ServerInputTimes {
  seq: number;
  /** The runtime's marker id for this input; the frame shows markId mod 256. */
  markId: number;
}

/** One presented frame: its decoded marker (if any) and its times (client clock, epoch ms). */
export interface PresentedFrame extends FrameTimes {
  marker: number | undefined;
}

export interface InputLatencyTrackerOptions {
  clock: ClockSync;
  onSample: (s: LatencySample) => void;
  /** Inputs not resolved within this long are dropped (ms). Default 3000. */
  maxAgeMs?: number;
  /** Presented frames kept for matching (a timing may arrive after its frame). Default 240. */
  historyFrames?: number;
}

/**
 * A frame shows input `markId` if its marker is that id, or a later one within this many
 * steps: the exact frame may have been dropped, and a later input's marker then covers it.
 */
const LATER_WINDOW = 32;

/**
 * Client side of input-to-photon: joins what the client sent (seq, send time), what the
 * server reports (receive, apply, capture, encode times and the marker id), and the
 * presented frames' markers (requestVideoFrameCallback) into one sample per input.
 */
export class InputLatencyTracker {
  readonly counts = { sent: 0, matched: 0, expired: 0 };
  readonly #o: InputLatencyTrackerOptions;
  readonly #sent = new Map<number, { kind: string; sentAt: number }>();
  readonly #timings = new Map<number, InputTiming>();
  readonly #frames: RollingWindow<PresentedFrame>;

  constructor(o: InputLatencyTrackerOptions) {
    this.#o = o;
    this.#frames = new RollingWindow(o.historyFrames ?? 240);
  }

  sent(seq: number, kind: string, sentAt: number): void {
    this.counts.sent++;
    this.#sent.set(seq, { kind, sentAt });
    this.#expire(sentAt);
  }

  timing(t: InputTiming): void {
    if (!this.#sent.has(t.seq)) return;
    this.#timings.set(t.seq, t);
    this.#resolve(t.seq);
  }

  frame(f: PresentedFrame): void {
    if (f.marker !== undefined) {
      this.#frames.push(f);
      for (const seq of this.#timings.keys()) this.#resolve(seq);
    }
    // Frames without a marker still move time on, so inputs that never show up age out.
    this.#expire(f.expectedDisplayTime);
  }

  /** Inputs sent and not yet resolved or dropped. */
  get pending(): number {
    return this.#sent.size;
  }

  #resolve(seq: number): void {
    const input = this.#sent.get(seq);
    const timing = this.#timings.get(seq);
    const clock = this.#o.clock.estimate();
    if (!input || !timing || !clock) return;
    const want = timing.markId % MARKER.modulo;
    const frame = this.#frames.items.find(
      (f) =>
        f.receiveTime >= input.sentAt && (f.marker! - want + MARKER.modulo) % MARKER.modulo < LATER_WINDOW,
    );
    if (!frame) return;
    this.#sent.delete(seq);
    this.#timings.delete(seq);
    this.counts.matched++;
    this.#o.onSample(computeSample({ seq, ...input }, timing, frame, clock));
  }

  #expire(now: number): void {
    const horizon = now - (this.#o.maxAgeMs ?? 3000);
    for (const [seq, s] of this.#sent) {
      if (s.sentAt >= horizon) continue;
      this.#sent.delete(seq);
      this.#timings.delete(seq);
      this.counts.expired++;
    }
  }
}
