import { type LatencySample, SEGMENTS, type Segment } from '@offload/latency';
import { type LatencySampleWire, utf8Length, LatencySampleWire as WireSchema } from '@offload/protocol';

/** The timer functions the latency code uses; tests pass fakes. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Samples waiting beyond this many are dropped, oldest first (a stuck socket must not grow memory). */
const MAX_QUEUED = 256;

/** 0.01 ms is finer than any clock here; full doubles would make a 64-sample report overflow 16 KB. */
const round = (v: number) => Math.round(v * 100) / 100;

/** A sample as the server's schema wants it, or null if it cannot be valid (e.g. a negative total). */
export function toWireSample(s: LatencySample): LatencySampleWire | null {
  const segments = Object.fromEntries(SEGMENTS.map((k) => [k, round(s.segments[k])])) as Record<
    Segment,
    number
  >;
  const wire = {
    seq: s.seq,
    kind: s.kind.slice(0, 32),
    total: round(s.total),
    segments,
    residual: round(s.residual),
    syncError: round(s.syncError),
    frameGap: round(s.frameGap),
  };
  return WireSchema.safeParse(wire).success ? wire : null;
}

export interface ReportBatcher {
  add(sample: LatencySample): void;
  /** Samples handed to `send` so far. */
  readonly reported: number;
  /** Drops what is queued and the pending timer. */
  clear(): void;
}

/**
 * Collects samples and sends them `intervalMs` after the first one of a batch (no timer while
 * nothing is new), in messages of at most `maxSamples` samples and `maxBytes` of JSON.
 */
export function createReportBatcher(o: {
  send: (samples: LatencySampleWire[]) => void;
  timers: Timers;
  intervalMs: number;
  maxSamples: number;
  maxBytes: number;
}): ReportBatcher {
  let queue: LatencySampleWire[] = [];
  let timer: unknown = null;
  let reported = 0;

  const sendBatch = (batch: LatencySampleWire[]) => {
    const bytes = utf8Length(JSON.stringify({ type: 'latency/report', samples: batch }));
    if (bytes > o.maxBytes && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      sendBatch(batch.slice(0, half));
      sendBatch(batch.slice(half));
      return;
    }
    if (bytes > o.maxBytes) return;
    reported += batch.length;
    o.send(batch);
  };
  const flush = () => {
    timer = null;
    while (queue.length > 0) sendBatch(queue.splice(0, o.maxSamples));
  };

  return {
    add(sample) {
      const wire = toWireSample(sample);
      if (!wire) return;
      queue.push(wire);
      if (queue.length > MAX_QUEUED) queue.splice(0, queue.length - MAX_QUEUED);
      if (timer === null) timer = o.timers.setTimeout(flush, o.intervalMs);
    },
    get reported() {
      return reported;
    },
    clear() {
      if (timer !== null) o.timers.clearTimeout(timer);
      timer = null;
      queue = [];
    },
  };
}
