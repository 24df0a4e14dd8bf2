import {
  CAPTURE_LIMITS,
  type CaptureEndReason,
  type CaptureKind,
  type CaptureRequestMessage,
  OffloadError,
  type RequestMessage,
} from '@offload/protocol';
import type { types } from 'mediasoup';
import type { Logger } from '../logger.js';
import { CaptureDecoder } from '../media/CaptureDecoder.js';
import type { AppRuntime, CaptureRefusal } from '../runtime/AppRuntime.js';
import { newId } from '../util/ids.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { TokenBucket } from '../util/TokenBucket.js';
import type { Control } from './Control.js';
import type { Viewer } from './Viewer.js';

export type CaptureRelayEvents = {
  /** Ask this viewer's client (the controller's) for its devices. */
  request: [viewerId: string, message: CaptureRequestMessage];
  /** Tell this viewer's client to stop capturing for a request. */
  stop: [viewerId: string, requestId: string];
};

export interface CaptureRelayOptions {
  control: Control;
  /** The app runtime of the moment (a rebuild replaces it). */
  runtime: () => AppRuntime;
  log: Logger;
  /** How long the controller's client may take to answer (ms); CAPTURE_LIMITS' by default. */
  answerTimeoutMs?: number;
}

/** Why a capture ended, beyond what the client says. */
type EndCause = CaptureEndReason | 'timeout' | 'control' | 'app-stopped' | 'replaced' | 'closed' | 'broken';

/** What the app's getUserMedia rejects with, for a capture that ended before it started. */
const REFUSALS: Record<Exclude<EndCause, 'app-stopped'>, [CaptureRefusal, string]> = {
  denied: ['NotAllowedError', 'The device’s user did not allow it.'],
  'no-device': ['NotFoundError', 'The device has no such camera or microphone.'],
  failed: ['NotReadableError', 'The device could not start its camera or microphone.'],
  ended: ['NotReadableError', 'The device’s capture stopped.'],
  timeout: ['NotAllowedError', 'The device did not answer in time.'],
  control: ['NotAllowedError', 'Control of the app moved to another participant.'],
  replaced: ['AbortError', 'A newer request replaced this one.'],
  closed: ['AbortError', 'The session ended.'],
  broken: ['NotReadableError', 'The device’s media could not be decoded.'],
};

interface Capture {
  requestId: string;
  /** The page's number for the request. */
  n: number;
  runtime: AppRuntime;
  viewerId: string;
  want: Record<CaptureKind, boolean>;
  producers: Map<CaptureKind, types.Producer>;
  decoders: CaptureDecoder[];
  timer: NodeJS.Timeout;
  started: boolean;
}

/**
 * The device's camera and microphone, from the controller's client to the app's page. At
 * most one capture at a time (a newer request of the app ends the one before). The app's
 * request goes to the controller only (nobody in control: refused at once); only that
 * client may produce, only the kinds the app asked for, once each, within the answer time;
 * each producer is decoded (CaptureDecoder) and fed to the page (AppMediaCapture). It ends
 * when the app stops its tracks, the client says so, control moves, a producer or decoder
 * closes, or the session closes: producers and decoders close, the client is told to stop,
 * the app's tracks end (or its request is refused with a DOMException).
 */
export class CaptureRelay {
  readonly events = new SafeEmitter<CaptureRelayEvents>('capture-relay');
  readonly #o: CaptureRelayOptions;
  readonly #requests = new TokenBucket(CAPTURE_LIMITS.requestsPerSecond, 3);
  #current: Capture | undefined;
  #closed = false;

  constructor(o: CaptureRelayOptions) {
    this.#o = o;
    o.control.events.on('changed', (controllerId) => {
      const cur = this.#current;
      if (cur && cur.viewerId !== controllerId) this.#finish(cur, 'control');
    });
  }

  /** Listens to a runtime's page (each runtime once: a rebuild brings a new one). */
  watch(runtime: AppRuntime): void {
    runtime.capture?.events.on('request', (n, want) => this.#appRequest(runtime, n, want));
    runtime.capture?.events.on('stop', (n) => {
      const cur = this.#current;
      if (cur && cur.runtime === runtime && cur.n === n) this.#finish(cur, 'app-stopped');
    });
  }

  /** What is being captured, for debugging and tests. */
  describe(): Record<string, unknown> | null {
    const c = this.#current;
    if (!c) return null;
    return {
      requestId: c.requestId,
      viewerId: c.viewerId,
      want: c.want,
      started: c.started,
      producers: [...c.producers.keys()],
    };
  }

  /** `capture/produce`: a track of the device for the current request; the controller's client only. */
  async produce(viewer: Viewer, m: RequestMessage<'capture/produce'>): Promise<types.Producer> {
    const cur = this.#assertAsked(viewer, m.requestId);
    if (!cur.want[m.kind]) throw new OffloadError('not-allowed', `The app did not ask for ${m.kind}.`);
    if (cur.producers.has(m.kind))
      throw new OffloadError('not-allowed', `This request has its ${m.kind} already.`);
    const rtp = m.rtpParameters as unknown as types.RtpParameters;
    if (!Array.isArray(rtp.encodings) || rtp.encodings.length !== 1)
      throw new OffloadError(
        'invalid-message',
        'A device track is sent as exactly one encoding (no simulcast).',
      );
    const producer = await viewer.produce(m.transportId, m.kind, rtp);
    if (this.#current !== cur || cur.producers.has(m.kind)) {
      producer.close();
      throw new OffloadError('not-allowed', 'This request ended meanwhile.');
    }
    cur.producers.set(m.kind, producer);
    producer.observer.once('close', () => this.#finish(cur, 'ended'));
    try {
      await this.#decode(cur, viewer.router, producer);
    } catch (err) {
      this.#o.log.warn({ err: (err as Error).message }, 'device track could not be decoded');
      this.#finish(cur, 'broken');
      throw new OffloadError('cannot-consume', `The server cannot decode this ${m.kind} track.`);
    }
    if (
      this.#current === cur &&
      !cur.started &&
      (['audio', 'video'] as const).every((k) => !cur.want[k] || cur.producers.has(k))
    ) {
      cur.started = true;
      clearTimeout(cur.timer);
      cur.runtime.capture?.start(cur.n);
      this.#o.log.info({ requestId: cur.requestId, want: cur.want }, 'the device’s media flows into the app');
    }
    return producer;
  }

  /** `capture/end`: the client cannot capture, or its capture stopped. A stale one is ignored. */
  end(viewer: Viewer, m: RequestMessage<'capture/end'>): void {
    const cur = this.#current;
    if (cur?.requestId === m.requestId && cur.viewerId === viewer.id) this.#finish(cur, m.reason);
    else if (!this.#o.control.isController(viewer.id))
      throw new OffloadError('not-controller', 'Only the participant in control lends the app its devices.');
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#current) this.#finish(this.#current, 'closed');
  }

  #appRequest(runtime: AppRuntime, n: number, want: Record<CaptureKind, boolean>): void {
    const refusal =
      this.#closed || runtime !== this.#o.runtime()
        ? 'The session is ending.'
        : !this.#requests.take()
          ? 'Too many requests for the camera and microphone; wait a moment.'
          : this.#o.control.controllerId === null
            ? 'Nobody controls the app: there is no device to ask.'
            : undefined;
    const controllerId = this.#o.control.controllerId;
    if (refusal !== undefined || controllerId === null) {
      runtime.capture?.refuse(n, 'NotAllowedError', refusal ?? '');
      return;
    }
    if (this.#current) this.#finish(this.#current, 'replaced');
    const cur: Capture = {
      requestId: newId(),
      n,
      runtime,
      viewerId: controllerId,
      want,
      producers: new Map(),
      decoders: [],
      started: false,
      timer: setTimeout(
        () => this.#finish(cur, 'timeout'),
        this.#o.answerTimeoutMs ?? CAPTURE_LIMITS.answerTimeoutMs,
      ),
    };
    this.#current = cur;
    this.#o.log.info(
      { requestId: cur.requestId, want, viewerId: controllerId },
      'the app asks for the device’s media',
    );
    this.events.safeEmit('request', controllerId, {
      type: 'capture/request',
      requestId: cur.requestId,
      ...want,
    });
  }

  #assertAsked(viewer: Viewer, requestId: string): Capture {
    if (!this.#o.control.isController(viewer.id))
      throw new OffloadError('not-controller', 'Only the participant in control lends the app its devices.');
    const cur = this.#current;
    if (!cur || cur.requestId !== requestId || cur.viewerId !== viewer.id)
      throw new OffloadError(
        'not-allowed',
        'No such request for the device’s media (it ended, or the app never asked).',
      );
    return cur;
  }

  async #decode(cur: Capture, router: types.Router, producer: types.Producer): Promise<void> {
    const rt = cur.runtime;
    const decoder = await CaptureDecoder.start({
      router,
      producer,
      user: rt.user,
      cgroup: rt.cgroup,
      home: rt.home,
    });
    if (this.#current !== cur) {
      decoder.close();
      return;
    }
    cur.decoders.push(decoder);
    decoder.events.on('picture', (jpeg) => rt.capture?.videoFrame(cur.n, jpeg));
    decoder.events.on('sound', (pcm) => rt.capture?.audioChunk(cur.n, pcm));
    decoder.events.on('died', () => this.#finish(cur, 'broken'));
  }

  #finish(cur: Capture, cause: EndCause): void {
    if (this.#current !== cur) return;
    this.#current = undefined;
    clearTimeout(cur.timer);
    for (const d of cur.decoders) d.close();
    for (const p of cur.producers.values()) p.close();
    if (cause !== 'app-stopped') {
      if (cur.started) cur.runtime.capture?.end(cur.n);
      else cur.runtime.capture?.refuse(cur.n, ...REFUSALS[cause]);
    }
    // The client is still capturing unless it said it ended.
    if (!['denied', 'no-device', 'failed', 'ended'].includes(cause))
      this.events.safeEmit('stop', cur.viewerId, cur.requestId);
    this.#o.log.info({ requestId: cur.requestId, cause }, 'the device’s media stopped');
  }
}
