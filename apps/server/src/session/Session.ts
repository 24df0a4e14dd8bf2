import { EventEmitter } from 'node:events';
import { type InputEvent, OffloadError, type ScreenInfo } from '@offload/protocol';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { ROUTER_CODECS, type VideoCodecName } from '../media/codecs.js';
import type { SimulcastSettings } from '../media/simulcast.js';
import { type CaptureMode, VideoSource } from '../media/VideoSource.js';
import type { PooledWorker, WorkerPool } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { serverNow } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { Control } from './Control.js';
import { describeViewer } from './describeViewer.js';
import { InputGate } from './InputGate.js';
import { InputTimings } from './InputTimings.js';
import { lowestLayerFloor, type Placement, RouterGroup } from './RouterGroup.js';
import { Viewer } from './Viewer.js';

export interface VideoSettings {
  /** Most frames a second. */
  fps: number;
  /** When frames are captured (see VideoSourceOptions.capture); default `damage`. */
  capture?: CaptureMode;
  /** Playout delay asked of receivers (ms; default 0); 'off': no playout-delay extension. */
  playoutDelayMs?: number | 'off';
  kbps: number;
  keyframeIntervalS: number;
  /** In order of preference; the first is started with the session, others when a viewer needs them. */
  codecs: VideoCodecName[];
  /** Simulcast layers per codec; default one layer. */
  simulcast?: SimulcastSettings;
}

export type LeasedWorker = PooledWorker & { release(): void };

export interface SessionOptions {
  id?: string;
  worker: LeasedWorker;
  /** A live worker for the session's new router when its worker died (default: the worker given). */
  acquireWorker?: () => Promise<LeasedWorker>;
  screen: ScreenInfo;
  /** Starts the app runtime for this session (the default makes a ChromiumRuntime). */
  startRuntime: (ctx: { sessionId: string; screen: ScreenInfo; url?: string }) => Promise<AppRuntime>;
  /** The page a cloud-browser session opens (already checked against the URL policy); default the server's app. */
  url?: string;
  video: VideoSettings;
  maxViewers: number;
  /** A session without viewers for this long closes itself (ms). */
  idleTimeoutMs: number;
  /** Input events per second per viewer. */
  inputRate: number;
  /** How long a viewer whose socket dropped keeps its place (transports, consumers) for a resume (ms). */
  resumeGraceMs?: number;
  /** At most this many media restarts (worker/app/encoder died) within a minute; then the session ends. Default 3. */
  maxRestartsPerMinute?: number;
  /** Fan-out: past `viewersPerRouter` viewers on a router, the video is piped to a router on another worker of `pool`. */
  fanout?: { pool: WorkerPool; viewersPerRouter: number };
}

/**
 * Life of a session: `starting` until its app and first encoder run, `running` while it can be
 * joined, `recovering` while it rebuilds what died (its media worker, its app or an encoder;
 * clients were told with `session/restarted` and resume once it runs again), `closing` while
 * its processes exit, then `closed`.
 */
export type SessionState = 'starting' | 'running' | 'recovering' | 'closing' | 'closed';

export type SessionEvents = {
  /** Private: tells the SessionManager this session is gone. */
  '@close': [reason: string];
};

export type SessionObserverEvents = {
  close: [reason: string];
  /** Media is being rebuilt: every viewer's transports are going away; clients should resume. */
  restarting: [reason: string];
  /** Media runs again after a restart (ms it took). */
  recovered: [ms: number];
  newviewer: [viewer: Viewer];
  /** Server-side segments of one input (ms), for metrics. */
  inputtiming: [segments: { inject: number; renderCapture: number; encode: number }];
};

/**
 * One running app and everything that streams it: a Router on one worker, the app runtime,
 * its video source(s) produced into the router, a DirectTransport where input arrives in
 * Node, and the viewers. close() cascades down; the manager learns of it through '@close'.
 * When the worker, the app or an encoder dies, the session rebuilds what died (a new router
 * on a live worker, a fresh app, new encoders) under the same id, and its clients resume.
 */
export class Session {
  readonly events = new EventEmitter<SessionEvents>();
  readonly observer = new EventEmitter<SessionObserverEvents>();
  readonly viewers = new Map<string, Viewer>();
  readonly createdAt = Date.now();
  /** Who controls the app: only that viewer's input is injected. */
  readonly control = new Control();
  readonly #sources = new Map<VideoCodecName, Promise<VideoSource>>();
  /** The sources that have started (told of every input, so they capture its frame at once). */
  readonly #started = new Set<VideoSource>();
  /** The simulcast layer each video consumer receives now (undefined: none yet), by consumer id. */
  readonly #consumerLayers = new Map<string, { producerId: string; layer: number | undefined }>();
  readonly #timings = new InputTimings();
  readonly #log: Logger;
  readonly #suspended = new Map<string, NodeJS.Timeout>();
  readonly #restarts: number[] = [];
  #state: SessionState = 'starting';
  /** Viewers being placed on a router (they count against maxViewers). */
  #joining = 0;
  /** The routers viewers are spread over (the origin router first); rebuilt with it. */
  #routers: RouterGroup;
  #closeReason = '';
  #idleTimer: NodeJS.Timeout | undefined;
  #worker: LeasedWorker;
  #router: types.Router;
  #inputTransport: types.DirectTransport;
  #runtime: AppRuntime;
  /** Settles when a running recovery ends. */
  #recovery: Promise<void> | undefined;
  #pending: { router: boolean; runtime: boolean; reasons: string[] } | undefined;

  private constructor(
    readonly id: string,
    readonly o: SessionOptions,
    media: { router: types.Router; inputTransport: types.DirectTransport },
    runtime: AppRuntime,
    log: Logger,
  ) {
    this.#log = log;
    this.#worker = o.worker;
    this.#router = media.router;
    this.#inputTransport = media.inputTransport;
    this.#runtime = runtime;
    this.#routers = this.#newRouterGroup();
    this.#watchRouter(media.router);
    this.#watchRuntime(runtime);
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
    let media: { router: types.Router; inputTransport: types.DirectTransport } | undefined;
    let runtime: AppRuntime | undefined;
    try {
      media = await Session.#createMedia(o.worker, id, o.video);
      runtime = await o.startRuntime({ sessionId: id, screen: o.screen, url: o.url });
      const session = new Session(id, o, media, runtime, log);
      // The first codec starts now so the first viewer's first frame needs no encoder start-up.
      await session.#source(o.video.codecs[0]!);
      session.#state = 'running';
      // Counted from when the session can be joined: its creator needs a moment to join.
      session.#armIdleTimer();
      log.info({ ms: Math.round(performance.now() - t0), worker: o.worker.index }, 'session started');
      return session;
    } catch (err) {
      await runtime?.close();
      media?.router.close();
      o.worker.release();
      throw err;
    }
  }

  static async #createMedia(
    worker: LeasedWorker,
    sessionId: string,
    video: VideoSettings,
  ): Promise<{ router: types.Router; inputTransport: types.DirectTransport }> {
    const router = await worker.worker.createRouter({
      mediaCodecs: video.codecs.map((c) => ROUTER_CODECS[c]),
      appData: { sessionId },
    });
    try {
      const inputTransport = await router.createDirectTransport({ maxMessageSize: 16 * 1024 });
      return { router, inputTransport };
    } catch (err) {
      router.close();
      throw err;
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  get router(): types.Router {
    return this.#router;
  }

  /** The routers viewers are spread over (the origin router first). */
  get routers(): RouterGroup {
    return this.#routers;
  }

  #newRouterGroup(): RouterGroup {
    const group = new RouterGroup({
      sessionId: this.id,
      origin: {
        router: this.#router,
        webRtcServer: this.#worker.webRtcServer,
        inputTransport: this.#inputTransport,
        workerIndex: this.#worker.index,
      },
      pool: this.o.fanout?.pool,
      viewersPerRouter: this.o.fanout?.viewersPerRouter ?? Number.MAX_SAFE_INTEGER,
      mediaCodecs: this.o.video.codecs.map((c) => ROUTER_CODECS[c]),
    });
    // A piped router's worker died: its viewers lost their transports; their clients resume
    // (Connection tells them) and are placed on a live router.
    group.observer.on('routerclose', (slot, reason) => {
      if (reason !== 'worker closed' || this.closed) return;
      for (const v of [...this.viewers.values()]) if (v.o.router === slot.router) v.close();
    });
    return group;
  }

  get runtime(): AppRuntime {
    return this.#runtime;
  }

  get inputTransport(): types.DirectTransport {
    return this.#inputTransport;
  }

  /** The mediasoup worker the session's router runs on. */
  get worker(): PooledWorker {
    return this.#worker;
  }

  /** Resolves once the session runs (at once unless it is recovering); rejects if it closes. */
  async whenRunning(): Promise<void> {
    while (this.#recovery) await this.#recovery;
    if (this.closed) throw new OffloadError('session-closed', 'The session ended; start a new one.');
  }

  /** Closing or closed: it cannot be joined any more. */
  get closed(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  get screen(): ScreenInfo {
    return this.o.screen;
  }

  get webRtcServer(): types.WebRtcServer {
    return this.#worker.webRtcServer;
  }

  /**
   * A new participant (`id` keeps a resuming client's identity). An eligible one
   * (`canControl`: controller token or open mode) gets control if nobody holds it; the others
   * watch, and their input is dropped.
   */
  async addViewer(
    p: { id?: string; name?: string; canControl: boolean } = { canControl: true },
  ): Promise<Viewer> {
    const id = p.id ?? newId();
    const assertCanAdd = () => {
      if (this.closed) throw new OffloadError('session-closed', 'The session ended; start a new one.');
      if (this.#state !== 'running')
        throw new OffloadError('not-ready', 'The session is restarting its media; try again in a moment.');
      if (this.viewers.has(id))
        throw new OffloadError('already-joined', 'This viewer is in the session already.');
    };
    assertCanAdd();
    if (this.viewers.size + this.#joining >= this.o.maxViewers) {
      throw new OffloadError(
        'at-capacity',
        `This session already has ${this.o.maxViewers} viewers; try again later.`,
      );
    }
    // The router it goes on: the origin, or one the video is piped to on another worker.
    this.#joining++;
    let placement: Placement;
    try {
      placement = await this.#routers.place();
    } catch {
      throw new OffloadError('session-closed', 'The session ended.');
    } finally {
      this.#joining--;
    }
    try {
      assertCanAdd();
    } catch (err) {
      placement.release();
      throw err;
    }
    const input = new InputGate({
      rate: this.o.inputRate,
      sink: (e: InputEvent, receivedAt: number) => {
        const markId = this.runtime.inject(e);
        if (markId === undefined) return;
        this.#timings.track(id, e.seq, receivedAt, markId);
        for (const source of this.#started) source.expect(markId);
      },
      onPing: (ping, t1) =>
        viewer.sendControl({ type: 'pong', id: ping.id, t0: ping.t0, t1, t2: serverNow() }),
      mayInject: () => this.control.isController(id),
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
    viewer.observer.on('newconsumer', (c) => this.#followLayers(c));
    clearTimeout(this.#idleTimer);
    this.control.add({ id, name: p.name, eligible: p.canControl });
    viewer.events.once('@close', () => {
      placement.release();
      this.viewers.delete(id);
      clearTimeout(this.#suspended.get(id));
      this.#suspended.delete(id);
      this.control.remove(id);
      if (this.viewers.size === 0) this.#armIdleTimer();
    });
    this.#log.info({ viewerId: id, viewers: this.viewers.size }, 'viewer joined');
    this.observer.emit('newviewer', viewer);
    return viewer;
  }

  /**
   * The viewer's client lost its socket: keep its transports and consumers for a while, so
   * it can resume (and restart ICE) without setting up media again.
   */
  suspendViewer(viewer: Viewer): void {
    if (viewer.closed || this.#suspended.has(viewer.id)) return;
    const graceMs = this.o.resumeGraceMs ?? 30_000;
    const timer = setTimeout(() => {
      this.#suspended.delete(viewer.id);
      this.#log.info({ viewerId: viewer.id }, 'viewer did not come back');
      viewer.close();
    }, graceMs);
    timer.unref();
    this.#suspended.set(viewer.id, timer);
    this.#log.info({ viewerId: viewer.id, graceMs }, 'viewer lost its connection; keeping its place');
  }

  /**
   * A client resumes as viewer `id`: its kept viewer (fresh = false), or a new one with the
   * same id when the old one is gone (fresh = true: media must be set up again).
   */
  async resumeViewer(
    id: string,
    p: { name?: string; canControl: boolean },
  ): Promise<{ viewer: Viewer; fresh: boolean }> {
    const kept = this.viewers.get(id);
    if (kept && !kept.closed) {
      clearTimeout(this.#suspended.get(id));
      this.#suspended.delete(id);
      // Another connection may still hold it (its socket died without a close): it lets go.
      kept.observer.emit('takenover');
      this.#log.info({ viewerId: id }, 'viewer resumed');
      return { viewer: kept, fresh: false };
    }
    return { viewer: await this.addViewer({ id, ...p }), fresh: true };
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
        await this.#routers.producerOn(router, source.producer);
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
      state: this.#state,
      createdAt: new Date(this.createdAt).toISOString(),
      worker: { index: this.#worker.index, pid: this.#worker.worker.pid },
      runtime: { pid: this.#runtime.pid },
      screen: this.screen,
      controllerId: this.control.controllerId,
      viewers: [...this.viewers.values()].map(describeViewer),
      video: (await this.videoSources()).map((s) => ({
        codec: s.codec,
        ...s.stats,
        layers: s.layers.map((l, i) => ({ ...l, ...s.stats.layers[i] })),
      })),
      routers: this.#routers.describe(),
    };
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.#state = 'closing';
    this.#closeReason = reason;
    clearTimeout(this.#idleTimer);
    for (const t of this.#suspended.values()) clearTimeout(t);
    this.#suspended.clear();
    for (const v of this.viewers.values()) v.close();
    this.#routers.close();
    this.#closeSources();
    this.#router.close();
    this.#runtime.close().finally(() => {
      this.#state = 'closed';
      this.#worker.release();
    });
    this.#log.info({ reason }, 'session closed');
    this.events.emit('@close', reason);
    this.observer.emit('close', reason);
  }

  #watchRouter(router: types.Router): void {
    router.observer.once('close', () => {
      if (router !== this.#router || this.closed) return;
      this.#recover('media worker stopped', { router: true });
    });
  }

  #watchRuntime(runtime: AppRuntime): void {
    runtime.events.once('died', (why) => {
      if (runtime !== this.#runtime || this.closed) return;
      this.#recover(`app stopped: ${why}`, { runtime: true });
    });
    runtime.events.on('applied', (markId, at) => {
      if (runtime === this.#runtime) this.#timings.applied(markId, at);
    });
  }

  /**
   * Follows which simulcast layer a consumer receives: a source encodes a lower layer at full
   * rate only while some viewer receives it (see VideoSource.setActiveLayers).
   */
  #followLayers(c: types.Consumer): void {
    if (c.kind !== 'video' || c.type !== 'simulcast') return;
    const update = () => {
      this.#consumerLayers.set(c.id, { producerId: c.producerId, layer: c.currentLayers?.spatialLayer });
      this.#applyLayers();
    };
    c.observer.on('layerschange', update);
    c.observer.once('close', () => {
      this.#consumerLayers.delete(c.id);
      this.#applyLayers();
    });
    update();
  }

  #applyLayers(): void {
    for (const source of this.#started) {
      const used = new Set<number>();
      for (const v of this.#consumerLayers.values())
        if (v.producerId === source.producer.id && v.layer !== undefined) used.add(v.layer);
      source.setActiveLayers(used);
    }
  }

  #closeSources(): void {
    this.#started.clear();
    for (const p of this.#sources.values())
      p.then(
        (s) => s.close(),
        () => {},
      );
    this.#sources.clear();
  }

  /**
   * Rebuilds what died — the router on a live worker, the app runtime — and always the video
   * sources; every viewer is closed and its client told to resume. Restarts that come in
   * while one runs are folded into the next round.
   */
  #recover(reason: string, what: { router?: boolean; runtime?: boolean }): void {
    if (this.closed) return;
    this.#pending ??= { router: false, runtime: false, reasons: [] };
    const p = this.#pending;
    p.router ||= !!what.router;
    p.runtime ||= !!what.runtime;
    p.reasons.push(reason);
    if (this.#recovery) return;
    this.#recovery = (async () => {
      while (this.#pending && !this.closed) {
        const job = this.#pending;
        this.#pending = undefined;
        await this.#rebuild(job);
      }
    })().finally(() => {
      this.#recovery = undefined;
    });
  }

  async #rebuild(job: { router: boolean; runtime: boolean; reasons: string[] }): Promise<void> {
    const reason = job.reasons.join('; ');
    const now = Date.now();
    this.#restarts.push(now);
    while (this.#restarts.length > 0 && this.#restarts[0]! < now - 60_000) this.#restarts.shift();
    const max = this.o.maxRestartsPerMinute ?? 3;
    if (this.#restarts.length > max) {
      this.close(`${reason} (gave up after ${max} restarts within a minute)`);
      return;
    }
    const t0 = performance.now();
    this.#state = 'recovering';
    clearTimeout(this.#idleTimer);
    this.#log.warn({ reason, ...job, reasons: undefined }, 'session media restarting');
    // Whoever had control gets it back when it resumes (for as long as a dropped viewer keeps its place).
    const controller = this.control.controllerId;
    if (controller) {
      this.control.reserve(controller);
      const t = setTimeout(() => this.control.reserve(null), this.o.resumeGraceMs ?? 30_000);
      t.unref();
    }
    this.observer.emit('restarting', reason);
    for (const t of this.#suspended.values()) clearTimeout(t);
    this.#suspended.clear();
    for (const v of [...this.viewers.values()]) v.close();
    this.#closeSources();
    this.#timings.reset();
    try {
      if (job.router || this.#router.closed) {
        this.#worker.release();
        const worker = await (this.o.acquireWorker?.() ?? Promise.resolve(this.o.worker));
        this.#worker = worker;
        if (this.closed) return;
        const media = await Session.#createMedia(worker, this.id, this.o.video);
        if (this.closed) {
          media.router.close();
          return;
        }
        this.#router = media.router;
        this.#inputTransport = media.inputTransport;
        this.#routers.close();
        this.#routers = this.#newRouterGroup();
        this.#watchRouter(media.router);
      }
      if (job.runtime) {
        void this.#runtime.close();
        const runtime = await this.o.startRuntime({
          sessionId: this.id,
          screen: this.o.screen,
          url: this.o.url,
        });
        if (this.closed) {
          await runtime.close();
          return;
        }
        this.#runtime = runtime;
        this.#watchRuntime(runtime);
      }
      await this.#source(this.o.video.codecs[0]!);
      if (this.closed) return;
      this.#state = 'running';
      const ms = Math.round(performance.now() - t0);
      this.#log.info({ ms, worker: this.#worker.index }, 'session recovered');
      this.observer.emit('recovered', ms);
      if (this.viewers.size === 0) this.#armIdleTimer();
    } catch (err) {
      // Closed while recovering (its app and X server go, so a starting sender fails): not a
      // failure of the recovery. This was the "restarted sender failed to start" seen in tests.
      if (this.closed) {
        this.#log.info({ err: (err as Error).message }, 'recovery stopped: the session closed');
        return;
      }
      this.#log.error({ err }, 'session could not recover');
      this.close(`${reason}; recovery failed: ${(err as Error).message}`);
    }
  }

  #armIdleTimer(): void {
    if (this.#state !== 'running') return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close('no viewers'), this.o.idleTimeoutMs);
    this.#idleTimer.unref();
  }

  #source(codec: VideoCodecName): Promise<VideoSource> {
    let p = this.#sources.get(codec);
    if (p) return p;
    const router = this.#router;
    p = VideoSource.start({
      router,
      display: this.#runtime.display,
      xauthority: this.#runtime.xauthority,
      cgroup: this.#runtime.cgroup,
      user: this.#runtime.user,
      home: this.#runtime.home,
      width: this.o.screen.width,
      height: this.o.screen.height,
      codec,
      fps: this.o.video.fps,
      capture: this.o.video.capture,
      playoutDelayMs: this.o.video.playoutDelayMs,
      kbps: this.o.video.kbps,
      keyframeIntervalS: this.o.video.keyframeIntervalS,
      simulcast: this.o.video.simulcast,
      logBindings: { sessionId: this.id },
    }).then((source) => {
      // Superseded while starting (closed, or a restart replaced the sources).
      if (this.closed || this.#sources.get(codec) !== p) {
        source.close();
        throw new OffloadError('session-closed', 'The session restarted its media; resume.');
      }
      this.#started.add(source);
      source.events.once('died', (why) => {
        this.#started.delete(source);
        if (this.#sources.get(codec) === p) this.#recover(why, {});
      });
      // Markers from the first source are enough: every source captures the same screen.
      if (codec === this.o.video.codecs[0]) {
        source.events.on('marker', (v, capturedAt, encodedAt) =>
          this.#timings.frame(v, capturedAt, encodedAt),
        );
      }
      return source;
    });
    this.#sources.set(codec, p);
    p.catch(() => {
      if (this.#sources.get(codec) === p) this.#sources.delete(codec);
    });
    return p;
  }
}
