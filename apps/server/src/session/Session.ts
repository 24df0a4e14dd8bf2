import { type InputEvent, OffloadError, type ScreenInfo, type SessionEndCause } from '@offload/protocol';
import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import type { VideoSource } from '../media/VideoSource.js';
import type { PooledWorker } from '../media/WorkerPool.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import { serverNow } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { CaptureRelay } from './CaptureRelay.js';
import { Control } from './Control.js';
import { describeSession } from './describeSession.js';
import { InputGate } from './InputGate.js';
import { InputTimings, serverSegments } from './InputTimings.js';
import { MediaRecovery, type RecoveryJob } from './MediaRecovery.js';
import { MediaSources } from './MediaSources.js';
import { lowestLayerFloor, type Placement, type RouterGroup } from './RouterGroup.js';
import { SessionMedia } from './SessionMedia.js';
import { SuspendedViewers } from './SuspendedViewers.js';
import {
  CLOSE_WORDS,
  type SessionEvents,
  type SessionObserverEvents,
  type SessionOptions,
  type SessionState,
} from './sessionTypes.js';
import { Viewer } from './Viewer.js';

/**
 * One running app and everything that streams it: a Router on one worker, the app runtime,
 * its video source(s) produced into the router, a DirectTransport where input arrives in
 * Node, and the viewers. close() cascades down; the manager learns of it through '@close'.
 * When the worker, the app or an encoder dies, the session rebuilds what died (a new router
 * on a live worker, a fresh app, new encoders) under the same id, and its clients resume.
 */
export class Session {
  readonly events = new SafeEmitter<SessionEvents>('session');
  readonly observer = new SafeEmitter<SessionObserverEvents>('session.observer');
  readonly viewers = new Map<string, Viewer>();
  readonly createdAt = Date.now();
  /** Who controls the app: only that viewer's input is injected. */
  readonly control = new Control();
  /** The controller's camera and microphone, lent to the app when it asks. */
  readonly capture: CaptureRelay;
  readonly #o: SessionOptions;
  readonly #sources: MediaSources;
  readonly #timings = new InputTimings();
  readonly #log: Logger;
  readonly #suspended: SuspendedViewers;
  readonly #recovery: MediaRecovery;
  #state: SessionState = 'starting';
  /** Viewers being placed on a router (they count against maxViewers). */
  #joining = 0;
  #closeReason = '';
  #closeCause: SessionEndCause | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  /** Worker, routers and input transport; rebuilt on a live worker when the worker dies. */
  readonly #media: SessionMedia;
  #runtime: AppRuntime;

  private constructor(
    readonly id: string,
    o: SessionOptions,
    media: SessionMedia,
    runtime: AppRuntime,
    log: Logger,
  ) {
    this.#o = o;
    this.#log = log;
    this.#suspended = new SuspendedViewers(o.resumeGraceMs ?? 30_000, log);
    this.#recovery = new MediaRecovery({
      rebuild: (job) => this.#rebuild(job),
      giveUp: (reason) => this.close('restart-limit', reason),
      closed: () => this.closed,
      maxPerMinute: o.maxRestartsPerMinute ?? 3,
    });
    this.#sources = new MediaSources({
      sessionId: id,
      screen: o.screen,
      video: o.video,
      media: () => ({ router: this.#media.router, routers: this.#media.routers, runtime: this.#runtime }),
      takePreparedSender: o.takePreparedSender,
    });
    this.#sources.events.on('died', (why) => this.#recovery.request(why, {}));
    this.#sources.events.on('marker', (...frame) => this.#timings.frame(...frame));
    this.#media = media;
    media.events.on('lost', () => {
      if (!this.closed) this.#recovery.request('media worker stopped', { router: true });
    });
    // A piped router's worker died: its viewers' clients resume (told by Connection) on a live router.
    media.events.on('piped-lost', (router) => {
      if (this.closed) return;
      for (const v of [...this.viewers.values()]) if (v.router === router) v.close();
    });
    this.#runtime = runtime;
    this.capture = new CaptureRelay({ control: this.control, runtime: () => this.#runtime, log });
    this.#watchRuntime(runtime);
    this.#timings.events.on('timing', (viewerId, t) => {
      this.viewers.get(viewerId)?.sendReport(t);
      this.observer.safeEmit('input-timing', serverSegments(t));
    });
  }

  static async create(o: SessionOptions): Promise<Session> {
    const id = o.id ?? newId();
    const log = moduleLogger('session', { sessionId: id });
    const t0 = performance.now();
    let media: SessionMedia | undefined;
    let runtime: AppRuntime | undefined;
    try {
      media = await SessionMedia.create(
        { sessionId: id, codecs: o.video.codecs, fanout: o.fanout },
        o.worker,
      );
      runtime = await o.startRuntime({ sessionId: id, screen: o.screen, url: o.url });
      const session = new Session(id, o, media, runtime, log);
      // The first codec (and the sound) start now: the first viewer waits for no start-up.
      session.#sources.startAudio();
      await session.#sources.get(o.video.codecs[0]!);
      session.#state = 'running';
      // Counted from when the session can be joined: its creator needs a moment to join.
      session.#armIdleTimer();
      log.info({ ms: Math.round(performance.now() - t0), worker: o.worker.index }, 'session started');
      return session;
    } catch (err) {
      await runtime?.close();
      media?.close();
      o.worker.release();
      throw err;
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  get router(): types.Router {
    return this.#media.router;
  }

  /** The routers viewers are spread over (the origin router first). */
  get routers(): RouterGroup {
    return this.#media.routers;
  }

  get runtime(): AppRuntime {
    return this.#runtime;
  }

  /** The mediasoup worker the session's router runs on. */
  get worker(): PooledWorker {
    return this.#media.worker;
  }

  /** The page the session opens, if not the server's app (already checked against the URL policy). */
  get url(): string | undefined {
    return this.#o.url;
  }

  /** Resolves once the session runs (at once unless it is recovering); rejects if it closes. */
  async whenRunning(): Promise<void> {
    while (this.#recovery.running) await this.#recovery.running;
    if (this.closed) throw new OffloadError('session-closed', 'The session ended; start a new one.');
  }

  /** Closing or closed: it cannot be joined any more. */
  get closed(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** Why it closed, for people ('' while it runs). */
  get closeReason(): string {
    return this.#closeReason;
  }

  /** Why it closed, as a word (undefined while it runs). */
  get closeCause(): SessionEndCause | undefined {
    return this.#closeCause;
  }

  get screen(): ScreenInfo {
    return this.#o.screen;
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
    const max = this.#o.maxViewers;
    if (this.viewers.size + this.#joining >= max)
      throw new OffloadError('at-capacity', `This session already has ${max} viewers; try again later.`);
    // The router it goes on: the origin, or one the video is piped to on another worker.
    this.#joining++;
    let placement: Placement;
    try {
      placement = await this.#media.routers.place();
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
      rate: this.#o.inputRate,
      sink: (e: InputEvent, receivedAt: number) => {
        const markId = this.runtime.inject(e);
        if (markId === undefined) return;
        this.#timings.track(id, e.seq, receivedAt, markId);
        this.#sources.expect(markId);
      },
      onPing: (ping, t1) =>
        viewer.sendReport({ type: 'pong', id: ping.id, t0: ping.t0, t1, t2: serverNow() }),
      mayInject: () => this.control.isController(id),
      sensorSink: (reading) => this.runtime.applySensor(reading),
    });
    const viewer: Viewer = new Viewer({
      id,
      sessionId: this.id,
      router: placement.router,
      webRtcServer: placement.webRtcServer,
      inputTransport: placement.inputTransport,
      input,
      minOutgoingBitrate: lowestLayerFloor(this.#o.video),
    });
    this.viewers.set(id, viewer);
    viewer.observer.on('new-consumer', (c) => this.#sources.follow(c));
    clearTimeout(this.#idleTimer);
    this.control.add({ id, name: p.name, eligible: p.canControl });
    viewer.events.once('@close', () => {
      placement.release();
      this.viewers.delete(id);
      this.#suspended.resume(id);
      this.control.remove(id);
      if (this.viewers.size === 0) this.#armIdleTimer();
    });
    this.#log.info({ viewerId: id, viewers: this.viewers.size }, 'viewer joined');
    this.observer.safeEmit('new-viewer', viewer);
    return viewer;
  }

  /**
   * The viewer's client lost its socket: keep its transports and consumers for a while, so
   * it can resume (and restart ICE) without setting up media again.
   */
  suspendViewer(viewer: Viewer): void {
    this.#suspended.suspend(viewer);
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
      this.#suspended.resume(id);
      // Another connection may still hold it (its socket died without a close): it lets go.
      kept.observer.safeEmit('taken-over');
      this.#log.info({ viewerId: id }, 'viewer resumed');
      return { viewer: kept, fresh: false };
    }
    return { viewer: await this.addViewer({ id, ...p }), fresh: true };
  }

  /** What viewers consume: the video (a source per codec) and the app's sound. */
  get sources(): MediaSources {
    return this.#sources;
  }

  /** Running video sources, for stats. */
  videoSources = (): Promise<VideoSource[]> => this.#sources.all();

  /** A snapshot for debugging and tests: viewers' input counts and the video sources' stats. */
  describe(): Promise<Record<string, unknown>> {
    return describeSession(this);
  }

  /** Closes the session for `cause`; `reason` (for people) defaults to the cause's own words. */
  close(cause: SessionEndCause = 'closed', reason = CLOSE_WORDS[cause]): void {
    if (this.closed) return;
    this.#state = 'closing';
    this.#closeReason = reason;
    this.#closeCause = cause;
    clearTimeout(this.#idleTimer);
    this.#suspended.clear();
    this.capture.close();
    for (const v of this.viewers.values()) v.close();
    this.#sources.close();
    this.#media.close();
    this.#runtime.close().finally(() => {
      this.#state = 'closed';
      this.#media.release();
    });
    this.#log.info({ reason }, 'session closed');
    this.events.safeEmit('@close', reason, cause);
    this.observer.safeEmit('close', reason, cause);
  }

  #watchRuntime(runtime: AppRuntime): void {
    this.capture.watch(runtime);
    runtime.events.once('died', (why) => {
      if (runtime !== this.#runtime || this.closed) return;
      this.#recovery.request(`app stopped: ${why}`, { runtime: true });
    });
    runtime.events.on('applied', (markId, at) => {
      if (runtime === this.#runtime) this.#timings.applied(markId, at);
    });
  }

  /**
   * Rebuilds what died — the router on a live worker, the app runtime — and always the video
   * sources; every viewer is closed and its client told to resume (see MediaRecovery for when).
   */
  async #rebuild(job: RecoveryJob): Promise<void> {
    const reason = job.reasons.join('; ');
    const t0 = performance.now();
    this.#state = 'recovering';
    clearTimeout(this.#idleTimer);
    this.#log.warn({ reason, ...job, reasons: undefined }, 'session media restarting');
    // Whoever had control gets it back when it resumes (for as long as a dropped viewer keeps its place).
    const controller = this.control.controllerId;
    if (controller) {
      this.control.reserve(controller);
      const t = setTimeout(() => this.control.reserve(null), this.#o.resumeGraceMs ?? 30_000);
      t.unref();
    }
    this.observer.safeEmit('restarting', reason);
    this.#suspended.clear();
    for (const v of [...this.viewers.values()]) v.close();
    this.#sources.stopAll();
    this.#timings.reset();
    try {
      if (job.router || this.#media.router.closed) {
        const acquire = () => this.#o.acquireWorker?.() ?? Promise.resolve(this.#o.worker);
        if (!(await this.#media.rebuild(acquire, () => this.closed))) return;
      }
      if (job.runtime) {
        void this.#runtime.close();
        const runtime = await this.#o.startRuntime({
          sessionId: this.id,
          screen: this.#o.screen,
          url: this.#o.url,
        });
        if (this.closed) {
          await runtime.close();
          return;
        }
        this.#runtime = runtime;
        this.#watchRuntime(runtime);
      }
      await this.#sources.get(this.#o.video.codecs[0]!);
      if (this.closed) return;
      this.#state = 'running';
      const ms = Math.round(performance.now() - t0);
      this.#log.info({ ms, worker: this.#media.worker.index }, 'session recovered');
      this.observer.safeEmit('recovered', ms);
      if (this.viewers.size === 0) this.#armIdleTimer();
    } catch (err) {
      // Closed while recovering (its app and X server go, so a starting sender fails): not a
      // failure of the recovery. This was the "restarted sender failed to start" seen in tests.
      if (this.closed) {
        this.#log.info({ err: (err as Error).message }, 'recovery stopped: the session closed');
        return;
      }
      this.#log.error({ err }, 'session could not recover');
      this.close('recovery-failed', `${reason}; recovery failed: ${(err as Error).message}`);
    }
  }

  #armIdleTimer(): void {
    if (this.#state !== 'running') return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close('idle'), this.#o.idleTimeoutMs);
    this.#idleTimer.unref();
  }
}
