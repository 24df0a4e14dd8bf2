import { EventEmitter } from 'node:events';
import { type InputEvent, OffloadError, type ScreenInfo } from '@offload/protocol';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { ROUTER_CODECS, type VideoCodecName } from '../media/codecs.js';
import type { SimulcastSettings } from '../media/simulcast.js';
import { VideoSource } from '../media/VideoSource.js';
import type { PooledWorker, WorkerPool } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { serverNow } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { describeViewer } from './describeViewer.js';
import { InputGate } from './InputGate.js';
import { InputTimings } from './InputTimings.js';
import { lowestLayerFloor, type Placement, RouterGroup } from './RouterGroup.js';
import { Viewer } from './Viewer.js';

export interface VideoSettings {
  fps: number;
  kbps: number;
  keyframeIntervalS: number;
  /** In order of preference; the first is started with the session, others when a viewer needs them. */
  codecs: VideoCodecName[];
  /** Simulcast layers per codec; default one layer. */
  simulcast?: SimulcastSettings;
}

export interface SessionOptions {
  id?: string;
  worker: PooledWorker & { release(): void };
  screen: ScreenInfo;
  /** Starts the app runtime for this session (the default makes a ChromiumRuntime). */
  startRuntime: (ctx: { sessionId: string; screen: ScreenInfo }) => Promise<AppRuntime>;
  video: VideoSettings;
  maxViewers: number;
  /** A session without viewers for this long closes itself (ms). */
  idleTimeoutMs: number;
  /** Input events per second per viewer. */
  inputRate: number;
  /** Fan-out: past `viewersPerRouter` viewers on a router, the video is piped to a router on another worker of `pool`. */
  fanout?: { pool: WorkerPool; viewersPerRouter: number };
}

export type SessionEvents = {
  /** Private: tells the SessionManager this session is gone. */
  '@close': [reason: string];
};

export type SessionObserverEvents = {
  close: [reason: string];
  newviewer: [viewer: Viewer];
  /** Server-side segments of one input (ms), for metrics. */
  inputtiming: [segments: { inject: number; renderCapture: number; encode: number }];
};

/**
 * One running app and everything that streams it: a Router on one worker, the app runtime,
 * its video source(s) produced into the router, a DirectTransport where input arrives in
 * Node, and the viewers. close() cascades down; the manager learns of it through '@close'.
 */
export class Session {
  readonly events = new EventEmitter<SessionEvents>();
  readonly observer = new EventEmitter<SessionObserverEvents>();
  readonly viewers = new Map<string, Viewer>();
  readonly createdAt = Date.now();
  readonly #sources = new Map<VideoCodecName, Promise<VideoSource>>();
  readonly #timings = new InputTimings();
  /** The routers viewers are spread over (this.router first). */
  readonly routers: RouterGroup;
  readonly #log: Logger;
  #closed = false;
  #closeReason = '';
  #joining = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  private constructor(
    readonly id: string,
    readonly o: SessionOptions,
    readonly router: types.Router,
    readonly runtime: AppRuntime,
    readonly inputTransport: types.DirectTransport,
    log: Logger,
  ) {
    this.#log = log;
    this.routers = new RouterGroup({
      sessionId: id,
      origin: { router, webRtcServer: o.worker.webRtcServer, inputTransport, workerIndex: o.worker.index },
      pool: o.fanout?.pool,
      viewersPerRouter: o.fanout?.viewersPerRouter ?? Number.MAX_SAFE_INTEGER,
      mediaCodecs: o.video.codecs.map((c) => ROUTER_CODECS[c]),
    });
    router.observer.once('close', () => this.close('media worker stopped'));
    runtime.events.once('died', (why) => this.close(`app stopped: ${why}`));
    runtime.events.on('applied', (markId, at) => this.#timings.applied(markId, at));
    this.#timings.events.on('timing', (viewerId, t) => {
      this.viewers.get(viewerId)?.sendControl(t);
      this.observer.emit('inputtiming', {
        inject: t.appliedAt - t.receivedAt,
        renderCapture: t.capturedAt - t.appliedAt,
        encode: t.encodedAt - t.capturedAt,
      });
    });
  }

  static async create(o: SessionOptions): Promise<Session> {
    const id = o.id ?? newId();
    const log = moduleLogger('session', { sessionId: id });
    const t0 = performance.now();
    let router: types.Router | undefined;
    let runtime: AppRuntime | undefined;
    try {
      router = await o.worker.worker.createRouter({
        mediaCodecs: o.video.codecs.map((c) => ROUTER_CODECS[c]),
        appData: { sessionId: id },
      });
      const inputTransport = await router.createDirectTransport({ maxMessageSize: 16 * 1024 });
      runtime = await o.startRuntime({ sessionId: id, screen: o.screen });
      const session = new Session(id, o, router, runtime, inputTransport, log);
      // The first codec starts now so the first viewer's first frame needs no encoder start-up.
      await session.#source(o.video.codecs[0]!);
      // Counted from when the session can be joined: its creator needs a moment to join.
      session.#armIdleTimer();
      log.info({ ms: Math.round(performance.now() - t0), worker: o.worker.index }, 'session started');
      return session;
    } catch (err) {
      await runtime?.close();
      router?.close();
      o.worker.release();
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  get screen(): ScreenInfo {
    return this.o.screen;
  }

  get webRtcServer(): types.WebRtcServer {
    return this.o.worker.webRtcServer;
  }

  /** A new viewer, on the router the group places it on (maybe one on another worker). */
  async addViewer(): Promise<Viewer> {
    if (this.#closed) throw new OffloadError('session-closed', 'The session ended.');
    if (this.viewers.size + this.#joining >= this.o.maxViewers) {
      throw new OffloadError(
        'at-capacity',
        `This session already has ${this.o.maxViewers} viewers; try again later.`,
      );
    }
    this.#joining++;
    let placement: Placement;
    try {
      placement = await this.routers.place();
    } catch {
      throw new OffloadError('session-closed', 'The session ended.');
    } finally {
      this.#joining--;
    }
    if (this.#closed) {
      placement.release();
      throw new OffloadError('session-closed', 'The session ended.');
    }
    const id = newId();
    const input = new InputGate({
      rate: this.o.inputRate,
      sink: (e: InputEvent, receivedAt: number) =>
        this.runtime.inject(e, this.#timings.track(id, e.seq, receivedAt)),
      onPing: (ping, t1) =>
        viewer.sendControl({ type: 'pong', id: ping.id, t0: ping.t0, t1, t2: serverNow() }),
    });
    const viewer: Viewer = new Viewer({
      id,
      sessionId: this.id,
      router: placement.router,
      webRtcServer: placement.webRtcServer,
      inputTransport: placement.inputTransport,
      input,
      minOutgoingBitrate: lowestLayerFloor(this.o.video),
    });
    this.viewers.set(id, viewer);
    clearTimeout(this.#idleTimer);
    viewer.events.once('@close', () => {
      placement.release();
      this.viewers.delete(id);
      if (this.viewers.size === 0) this.#armIdleTimer();
    });
    this.#log.info({ viewerId: id, viewers: this.viewers.size }, 'viewer joined');
    this.observer.emit('newviewer', viewer);
    return viewer;
  }

  /**
   * The video producer this client can decode (the first configured codec it supports),
   * consumable on `router` (a viewer's router: piped there if it is not the origin).
   */
  async videoProducerFor(
    rtpCapabilities: types.RtpCapabilities,
    router: types.Router = this.router,
  ): Promise<types.Producer> {
    const mimeTypes = new Set((rtpCapabilities.codecs ?? []).map((c) => c.mimeType.toLowerCase()));
    for (const codec of this.o.video.codecs) {
      if (!mimeTypes.has(ROUTER_CODECS[codec].mimeType.toLowerCase())) continue;
      const source = await this.#source(codec);
      if (this.router.canConsume({ producerId: source.producer.id, rtpCapabilities })) {
        await this.routers.producerOn(router, source.producer);
        return source.producer;
      }
    }
    throw new OffloadError(
      'cannot-consume',
      `This browser cannot decode any codec this server sends (${this.o.video.codecs.join(', ')}).`,
    );
  }

  /** Running video sources, for stats. */
  async videoSources(): Promise<VideoSource[]> {
    return Promise.all(this.#sources.values());
  }

  /** A snapshot for debugging and tests: viewers' input counts and the video sources' stats. */
  async describe(): Promise<Record<string, unknown>> {
    return {
      id: this.id,
      screen: this.screen,
      viewers: [...this.viewers.values()].map(describeViewer),
      video: (await this.videoSources()).map((s) => ({
        codec: s.codec,
        ...s.stats,
        layers: s.layers.map((l, i) => ({ ...l, ...s.stats.layers[i] })),
      })),
      routers: this.routers.describe(),
    };
  }

  close(reason = 'closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeReason = reason;
    clearTimeout(this.#idleTimer);
    for (const v of this.viewers.values()) v.close();
    this.routers.close();
    for (const p of this.#sources.values())
      p.then(
        (s) => s.close(),
        () => {},
      );
    this.router.close();
    this.runtime.close().finally(() => this.o.worker.release());
    this.#log.info({ reason }, 'session closed');
    this.events.emit('@close', reason);
    this.observer.emit('close', reason);
  }

  #armIdleTimer(): void {
    if (this.#closed) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close('no viewers'), this.o.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #source(codec: VideoCodecName): Promise<VideoSource> {
    let p = this.#sources.get(codec);
    if (p) return p;
    p = VideoSource.start({
      router: this.router,
      display: this.runtime.display,
      width: this.o.screen.width,
      height: this.o.screen.height,
      codec,
      fps: this.o.video.fps,
      kbps: this.o.video.kbps,
      keyframeIntervalS: this.o.video.keyframeIntervalS,
      simulcast: this.o.video.simulcast,
      logBindings: { sessionId: this.id },
    }).then((source) => {
      if (this.#closed) source.close();
      source.events.once('died', (why) => this.close(why));
      // Markers from the first source are enough: every source captures the same screen.
      if (codec === this.o.video.codecs[0]) {
        source.events.on('marker', (v, capturedAt, encodedAt) =>
          this.#timings.frame(v, capturedAt, encodedAt),
        );
      }
      return source;
    });
    this.#sources.set(codec, p);
    p.catch(() => this.#sources.delete(codec));
    return p;
  }
}
