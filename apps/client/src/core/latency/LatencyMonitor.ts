import {
  type ClockEstimate,
  ClockSync,
  InputLatencyTracker,
  type LatencySample,
  RollingWindow,
} from '@offload/latency';
import {
  type DownstreamMessage,
  type InputEventInit,
  type LatencySampleWire,
  MAX_REPORTED_SAMPLES,
  MAX_SIGNALING_MESSAGE_BYTES,
  type Ping,
} from '@offload/protocol';
import type { LatencyMonitorEvents } from '../events';
import { TypedEmitter } from '../TypedEmitter';
import { createReportBatcher, type ReportBatcher, type Timers } from './latencyReport';

/** The parts of requestVideoFrameCallback metadata the monitor reads (times: ms since timeOrigin). */
export interface FrameMetadata {
  width: number;
  height: number;
  presentationTime: number;
  expectedDisplayTime: number;
  receiveTime?: number;
  /** Seconds, as rVFC reports it. */
  processingDuration?: number;
  /** Frames presented so far: a jump of more than 1 means frames went by without a callback. */
  presentedFrames?: number;
}

/** An HTMLVideoElement, as far as the frame loop goes; tests pass a fake. */
export interface VideoFrameSource {
  requestVideoFrameCallback(cb: (now: number, metadata: FrameMetadata) => void): number;
  cancelVideoFrameCallback(handle: number): void;
}

/** Reads the marker strip off the frame being presented; undefined when none shows. */
export type MarkerReader = (frame: {
  width: number;
  height: number;
}) => number | undefined | Promise<number | undefined>;

export interface LatencyMonitorOptions {
  /** Sends a ping on the unreliable input channel only; false when it is not open. */
  sendPing: (ping: Ping) => boolean;
  /** Sends one `latency/report` batch (≤ MAX_REPORTED_SAMPLES, ≤ maxReportBytes as JSON). */
  report: (samples: LatencySampleWire[]) => void;
  /** Client wall clock, epoch ms. Default `performance.timeOrigin + performance.now()`. */
  now?: () => number;
  /** Epoch ms that rVFC times count from. Default `performance.timeOrigin`. */
  timeOrigin?: number;
  /** Default: the global setTimeout/clearTimeout. */
  timers?: Timers;
  /** Samples kept for the HUD and percentiles. Default 1000. */
  windowSize?: number;
  /** Pings sent right after the channel opens, and their spacing (ms). Default 5 at 100 ms. */
  burstPings?: number;
  burstSpacingMs?: number;
  /** Ping period after the burst (ms). Default 1000. */
  pingIntervalMs?: number;
  /** Reports go out this long after the first unreported sample (ms). Default 2000. */
  reportIntervalMs?: number;
  /** Largest report message (UTF-8 bytes of its JSON). Default MAX_SIGNALING_MESSAGE_BYTES. */
  maxReportBytes?: number;
  /** How long an input keeps the frame reader running without a match (ms). Default 3000, the tracker's own age limit. */
  maxInputAgeMs?: number;
}

export interface LatencyCounts {
  /** Inputs sent, matched to a frame, and dropped unmatched (tracker counters). */
  sent: number;
  matched: number;
  expired: number;
  /** Inputs waiting for their timing or frame. */
  pending: number;
  pings: number;
  pongs: number;
  /** Samples handed to `report`. */
  reported: number;
  /** Frames whose marker strip was read (only while inputs are pending). */
  framesRead: number;
}

const MAX_OUTSTANDING_PINGS = 32;

/**
 * The client half of the input-to-photon monitor: clock-sync pings, the input ledger
 * (InputLatencyTracker), the frame-marker loop and the batched reports to the server.
 * Knows nothing of StreamClient: it is fed through `pingChannel`, `inputSent`,
 * `handleReport` and `attachVideo`, and reaches out only through its injected callbacks.
 */
export class LatencyMonitor extends TypedEmitter<LatencyMonitorEvents> {
  readonly #o: LatencyMonitorOptions;
  readonly #now: () => number;
  readonly #timers: Timers;
  readonly #window: RollingWindow<LatencySample>;
  readonly #batcher: ReportBatcher;
  #clock = new ClockSync();
  #tracker: InputLatencyTracker;
  #counts = { pings: 0, pongs: 0, framesRead: 0 };
  #pingId = 0;
  readonly #outstanding = new Map<number, number>();
  #pingTimer: unknown = null;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #detachVideo: (() => void) | null = null;
  /** Starts the attached video's frame loop if it rests (an input was sent). */
  #armFrames: (() => void) | null = null;
  #closed = false;

  constructor(o: LatencyMonitorOptions) {
    super();
    this.#o = o;
    this.#now = o.now ?? (() => performance.timeOrigin + performance.now());
    this.#timers = o.timers ?? {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
    };
    this.#window = new RollingWindow(o.windowSize ?? 1000);
    this.#batcher = createReportBatcher({
      send: o.report,
      timers: this.#timers,
      intervalMs: o.reportIntervalMs ?? 2000,
      maxSamples: MAX_REPORTED_SAMPLES,
      maxBytes: o.maxReportBytes ?? MAX_SIGNALING_MESSAGE_BYTES,
    });
    this.#tracker = this.#newTracker();
  }

  /** The most recent samples, oldest first (a copy). */
  get samples(): LatencySample[] {
    return [...this.#window.items];
  }

  get counts(): LatencyCounts {
    const t = this.#tracker.counts;
    return {
      sent: t.sent,
      matched: t.matched,
      expired: t.expired,
      pending: this.#tracker.pending,
      ...this.#counts,
      reported: this.#batcher.reported,
    };
  }

  /** Clock offset (server − client), its round trip and error bound; null before the first pong. */
  get clock(): ClockEstimate | null {
    return this.#clock.estimate(this.#now()) ?? null;
  }

  /** The unreliable input channel opened (start the ping schedule) or closed (stop it). */
  pingChannel(open: boolean): void {
    this.#stopPings();
    if (!open || this.#closed) return;
    const burst = this.#o.burstPings ?? 5;
    let n = 0;
    const tick = () => {
      this.#ping();
      n++;
      const next = n < burst ? (this.#o.burstSpacingMs ?? 100) : (this.#o.pingIntervalMs ?? 1000);
      this.#pingTimer = this.#timers.setTimeout(tick, next);
    };
    tick();
  }

  /** An input left with this `seq` and `ts` (call with the event exactly as sent). */
  inputSent(event: InputEventInit): void {
    if (this.#closed) return;
    this.#lastSentAt = this.#now();
    this.#tracker.sent(event.seq, inputKind(event), event.ts);
    this.#armFrames?.();
  }

  /** A validated message from the report channel (pong, input timing). */
  handleReport(msg: DownstreamMessage): void {
    if (this.#closed) return;
    if (msg.type === 'pong') {
      const t0 = this.#outstanding.get(msg.id);
      // Only answers to our own pings: a stale or duplicated pong would skew the filter.
      if (t0 === undefined || t0 !== msg.t0) return;
      this.#outstanding.delete(msg.id);
      this.#clock.add({ t0, t1: msg.t1, t2: msg.t2, t3: this.#now() });
      this.#counts.pongs++;
      const estimate = this.clock;
      if (estimate) this.emit('clock', estimate);
      return;
    }
    const { type: _type, ...timing } = msg;
    this.#tracker.timing(timing);
  }

  /**
   * Runs the frame loop on a video while inputs are pending: an input arms it, every presented
   * frame re-registers the callback until no input waits, then it stops. A registered
   * requestVideoFrameCallback makes the page run a rendering step for every video frame (the
   * main thread wakes 30–60 times a second); an idle stream needs none, which on a slow device
   * is most of the player's main-thread time. Returns a detach function; attaching another
   * video detaches this one.
   */
  attachVideo(video: VideoFrameSource, readMarker: MarkerReader): () => void {
    this.#detachVideo?.();
    if (this.#closed) return () => {};
    const origin = this.#o.timeOrigin ?? performance.timeOrigin;
    let active = true;
    /** The pending callback's handle; 0 while the loop rests. */
    let handle = 0;
    // The previous callback's frame, read or not: tells whether frames went by unseen. Unknown
    // (undefined) on the loop's first frame after a rest.
    let previous: { presentedFrames: number; receiveTime: number } | undefined;
    const onFrame = (_now: number, md: FrameMetadata) => {
      handle = 0;
      if (!active) return;
      const presentationTime = origin + md.presentationTime;
      const receiveTime = md.receiveTime !== undefined ? origin + md.receiveTime : presentationTime;
      const before = previous;
      previous =
        md.presentedFrames !== undefined ? { presentedFrames: md.presentedFrames, receiveTime } : undefined;
      if (!this.#wantFrames()) {
        previous = undefined; // the loop rests; the next input arms it again
        return;
      }
      handle = video.requestVideoFrameCallback(onFrame);
      this.#counts.framesRead++;
      const times = {
        receiveTime,
        presentationTime,
        expectedDisplayTime: origin + md.expectedDisplayTime,
        processingDuration: md.processingDuration !== undefined ? md.processingDuration * 1000 : undefined,
        presentedFrames: md.presentedFrames,
        previous: before,
      };
      const feed = (marker: number | undefined) => {
        if (active && !this.#closed) this.#tracker.frame({ marker, ...times });
      };
      let read: ReturnType<MarkerReader>;
      try {
        read = readMarker(md);
      } catch {
        read = undefined; // e.g. a frame torn down under us; the next one will do
      }
      // The reader may copy asynchronously; the frame (and its times) were taken now.
      if (read instanceof Promise) read.then(feed, () => feed(undefined));
      else feed(read);
    };
    const arm = () => {
      if (active && handle === 0 && !this.#closed) handle = video.requestVideoFrameCallback(onFrame);
    };
    const detach = () => {
      if (!active) return;
      active = false;
      if (handle !== 0) video.cancelVideoFrameCallback(handle);
      handle = 0;
      if (this.#detachVideo === detach) {
        this.#detachVideo = null;
        this.#armFrames = null;
      }
    };
    this.#detachVideo = detach;
    this.#armFrames = arm;
    // Inputs sent before the video was attached still want their frame.
    if (this.#wantFrames()) arm();
    return detach;
  }

  /** Forgets everything measured (a new session: seqs start again from 0). */
  reset(): void {
    this.#clock = new ClockSync();
    this.#tracker = this.#newTracker();
    this.#counts = { pings: 0, pongs: 0, framesRead: 0 };
    this.#outstanding.clear();
    this.#window.clear();
    this.#batcher.clear();
    this.#lastSentAt = Number.NEGATIVE_INFINITY;
    this.emit('reset');
  }

  /** Stops pings, the frame loop and reporting. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPings();
    this.#detachVideo?.();
    this.#batcher.clear();
    this.removeAllListeners();
  }

  #wantFrames(): boolean {
    // The tracker only ages inputs out on a marked frame or a new input; without a marker
    // (server without one) it would keep us reading, so stop after the age limit ourselves.
    return this.#tracker.pending > 0 && this.#now() - this.#lastSentAt <= (this.#o.maxInputAgeMs ?? 3000);
  }

  #newTracker(): InputLatencyTracker {
    return new InputLatencyTracker({
      clock: this.#clock,
      maxAgeMs: this.#o.maxInputAgeMs ?? 3000,
      onSample: (s) => {
        this.#window.push(s);
        this.#batcher.add(s);
        this.emit('sample', s);
      },
    });
  }

  #ping(): void {
    const id = this.#pingId++;
    const t0 = this.#now();
    if (!this.#o.sendPing({ type: 'ping', id, t0 })) return;
    this.#counts.pings++;
    this.#outstanding.set(id, t0);
    if (this.#outstanding.size > MAX_OUTSTANDING_PINGS) {
      this.#outstanding.delete(this.#outstanding.keys().next().value!);
    }
  }

  #stopPings(): void {
    if (this.#pingTimer !== null) this.#timers.clearTimeout(this.#pingTimer);
    this.#pingTimer = null;
  }
}

/** "pointer:down", "touch:move", "key:up", "wheel", "text". */
export function inputKind(event: InputEventInit): string {
  return 'action' in event ? `${event.type}:${event.action}` : event.type;
}
