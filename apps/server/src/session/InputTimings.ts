import { MARKER } from '@offload/latency';
import type { InputTimingMessage } from '@offload/protocol';
import { SafeEmitter } from '../util/SafeEmitter.js';

interface Record {
  viewerId: string;
  seq: number;
  receivedAt: number;
  appliedAt?: number;
  /** Set when a frame showed this input's marker (or a later one) before the app's report came. */
  frame?: { capturedAt: number; encodedAt: number };
}

export type InputTimingsEvents = {
  /** Input `seq` of `viewerId` showed up in a captured frame: its server-side times. */
  timing: [viewerId: string, timing: InputTimingMessage];
};

export interface InputTimingsOptions {
  /** Inputs not seen in a frame within this long are forgotten (ms). Default 5000. */
  maxAgeMs?: number;
}

/**
 * Server side of input-to-photon for one session: notes each injected input's marker id
 * (the runtime's, shared by all viewers, as they share one app; ids increase), when the app
 * handled it, and when the video source reports a captured frame showing marker value v,
 * completes every handled input up to the id that v stands for — their effects are all in
 * that frame.
 */
export class InputTimings {
  readonly events = new SafeEmitter<InputTimingsEvents>('input-timings');
  readonly #records = new Map<number, Record>();
  readonly #maxAge: number;
  /** The highest marker id tracked. */
  #latest = 0;

  constructor(o: InputTimingsOptions = {}) {
    this.#maxAge = o.maxAgeMs ?? 5000;
  }

  /** Registers an injected input with the marker id the runtime gave it (ids only grow). */
  track(viewerId: string, seq: number, receivedAt: number, markId: number): void {
    if (markId <= this.#latest) return; // not newer than what is tracked: cannot be told apart
    this.#latest = markId;
    this.#records.set(markId, { viewerId, seq, receivedAt });
    for (const [id, r] of this.#records) {
      if (r.receivedAt >= receivedAt - this.#maxAge) break; // ids are in arrival order
      this.#records.delete(id);
    }
  }

  applied(markId: number, at: number): void {
    const r = this.#records.get(markId);
    if (!r || r.appliedAt !== undefined) return;
    r.appliedAt = at;
    // The page's report can arrive after the captured frame (both cross processes on a busy box).
    if (r.frame) this.#complete(markId, r, at, r.frame.capturedAt, r.frame.encodedAt);
  }

  /** A captured frame first showed marker `value` (mod 256). */
  frame(value: number, capturedAt: number, encodedAt: number): void {
    const latest = this.#latest;
    const shown = latest - ((((latest - value) % MARKER.modulo) + MARKER.modulo) % MARKER.modulo);
    for (const [markId, r] of this.#records) {
      if (markId > shown) break;
      if (r.appliedAt !== undefined) {
        this.#complete(markId, r, r.appliedAt, capturedAt, encodedAt);
        continue;
      }
      // Not reported as handled (yet): either the app's report is still on its way, or the
      // input never took effect (e.g. text with nothing focused) though a later one did.
      // Wait for the report until the record ages out.
      r.frame ??= { capturedAt, encodedAt };
    }
  }

  #complete(markId: number, r: Record, appliedAt: number, capturedAt: number, encodedAt: number): void {
    this.#records.delete(markId);
    this.events.safeEmit('timing', r.viewerId, {
      type: 'input/timing',
      seq: r.seq,
      markId,
      receivedAt: r.receivedAt,
      appliedAt,
      capturedAt,
      encodedAt,
    });
  }

  /** Forgets every input in flight (the app restarted: their marks will never show). */
  reset(): void {
    this.#records.clear();
  }

  get pending(): number {
    return this.#records.size;
  }
}

/** The server-side segments (ms) of one input's timing, as /metrics counts them. */
export function serverSegments(t: InputTimingMessage): {
  inject: number;
  renderCapture: number;
  encode: number;
} {
  return {
    inject: t.appliedAt - t.receivedAt,
    renderCapture: t.capturedAt - t.appliedAt,
    encode: t.encodedAt - t.capturedAt,
  };
}
