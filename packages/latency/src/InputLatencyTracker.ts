import type { ClockSync } from './ClockSync.js';
import { MARKER } from './marker.js';
import { computeSample, type FrameTimes, type LatencySample, type ServerInputTimes } from './segments.js';
import { RollingWindow } from './stats.js';

/** What the server reports of one input once a captured frame showed it (server clock). */
export interface InputTiming extends ServerInputTimes {
  seq: number;
  /** The runtime's marker id for this input; the frame shows markId mod MARKER.modulo. */
  markId: number;
}

/** One presented frame: its decoded marker (if any) and its times (client clock, epoch ms). */
export interface PresentedFrame extends FrameTimes {
  marker: number | undefined;
  /** requestVideoFrameCallback's presentedFrames: consecutive unless frames went by unseen. */
  presentedFrames?: number;
  /** The frame of the page's previous frame callback, read or not (client clock). */
  previous?: { presentedFrames: number; receiveTime: number };
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
 * Ids count stamps of MARKER.stepMs, so this is how much later (5 s) a covering input may be.
 */
const LATER_WINDOW = 5000 / MARKER.stepMs;

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
    const frames = this.#frames.items;
    const i = frames.findIndex(
      (f) =>
        f.receiveTime >= input.sentAt && (f.marker! - want + MARKER.modulo) % MARKER.modulo < LATER_WINDOW,
    );
    if (i < 0) return;
    const frame = frames[i]!;
    this.#sent.delete(seq);
    this.#timings.delete(seq);
    this.counts.matched++;
    const gap = frameGap(frame, frames[i - 1], input.sentAt);
    this.#o.onSample(computeSample({ seq, ...input }, timing, frame, clock, gap));
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

/**
 * How much earlier than `frame` the input's effect may have been on screen (ms). `before` is
 * the latest earlier frame with a readable marker (it does not show the input: `frame` is the
 * first that does). The answer is 0 when the frame presented just before `frame` is known not
 * to show the input: it had a readable marker, or it was received before the input was sent.
 * Otherwise frames went by unread or unreadable, and the effect may have shown in any of them:
 * the gap reaches back to the later of `before` and the send. Unknown frame counts give 0.
 */
export function frameGap(frame: PresentedFrame, before: PresentedFrame | undefined, sentAt: number): number {
  const pf = frame.presentedFrames;
  if (pf === undefined) return 0;
  if (before?.presentedFrames === pf - 1) return 0;
  const prev = frame.previous;
  if (prev && prev.presentedFrames === pf - 1 && prev.receiveTime < sentAt) return 0;
  return Math.max(0, frame.expectedDisplayTime - Math.max(sentAt, before?.expectedDisplayTime ?? sentAt));
}
