import type { AddressInfo } from 'node:net';
import { Auth } from './auth/Auth.js';
import { loadServerKey, ResumeTokens } from './auth/ResumeTokens.js';
import { Cluster } from './cluster/Cluster.js';
import type { Config } from './config.js';
import { createHttpServer, DEFAULT_CLIENT_DIR } from './http/HttpServer.js';
import { moduleLogger } from './logger.js';
import { routerCapabilities } from './media/codecs.js';
import { PreparedSenders } from './media/PreparedSender.js';
import { prepareSenderFiles } from './media/VideoSource.js';
import { WorkerPool } from './media/WorkerPool.js';
import { Metrics } from './metrics/Metrics.js';
import { APP_UIDS, appUserFor } from './runtime/appUser.js';
import { cgroupsUnavailable, removeStaleCgroups } from './runtime/Cgroup.js';
import { ChromiumRuntime } from './runtime/ChromiumRuntime.js';
import { UrlPolicy } from './runtime/urlPolicy.js';
import { WarmPool } from './runtime/WarmPool.js';
import { xorgDummyAvailable } from './runtime/XServer.js';
import { senderSpecFor } from './session/MediaSources.js';
import { SessionManager } from './session/SessionManager.js';
import { warmInputPath } from './session/warmInputPath.js';
import { SignalingServer } from './signaling/SignalingServer.js';
import { setRealtime } from './util/realtime.js';

const log = moduleLogger('offload');
export const SERVER_VERSION = '0.1.0';
/** How long a resume token stays valid; every resume hands out a new one. */
const RESUME_TOKEN_TTL_S = 3600;
/**
 * A warm runtime's replacement starts this long after it was taken (ms): not during the new
 * session's first second (see WarmPoolOptions.refillDelayMs).
 */
const WARM_REFILL_DELAY_MS = 3000;

/** The whole server: worker pool → sessions, HTTP + signaling on one port. */
export class Offload {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly config: Config,
    readonly pool: WorkerPool,
    readonly sessions: SessionManager,
    readonly http: ReturnType<typeof createHttpServer>,
    readonly signaling: SignalingServer,
    readonly warm: WarmPool,
    /** Each warm runtime's video sender, started ahead (see PreparedSenders). */
    readonly preparedSenders: PreparedSenders,
    readonly auth: Auth,
    readonly urlPolicy: UrlPolicy,
    /** The cluster this node belongs to (on its own without OFFLOAD_REDIS_URL). */
    readonly cluster: Cluster,
  ) {}

  static async start(config: Config): Promise<Offload> {
    const pool = await WorkerPool.create({
      size: config.workers,
      listenIp: config.rtc.listenIp,
      announcedAddress: config.rtc.announcedAddress,
      port: config.rtc.port,
      realtimePriority: config.realtimePriority,
    });
    // Told in `hello`: a client loads its Device while its session is created and joined.
    const routerRtpCapabilities = await routerCapabilities(
      pool.workers[0]!.worker,
      config.video.codecs,
    ).catch((err) => {
      pool.close();
      throw err;
    });
    // The input path's code compiled now, not on the first tap (see warmInputPath).
    warmInputPath();
    // Inputs arrive on the main thread: it runs as soon as one comes, not behind the apps.
    if (config.realtimePriority > 0) {
      const failed = setRealtime(process.pid, config.realtimePriority);
      if (failed) log.warn({ err: failed }, 'the server runs at normal priority (OFFLOAD_RT_PRIORITY)');
    }
    let appUrl = config.appUrl;
    // A named account that is missing (or root) fails now, not at the first session.
    if (config.appUser) appUserFor(config.appUser);
    log.info(
      {
        as:
          process.getuid?.() !== 0
            ? "the server's own account"
            : (config.appUser ?? `a uid of their own each (${APP_UIDS.first}–${APP_UIDS.last})`),
      },
      'app browsers run sandboxed and unprivileged',
    );
    const noCgroups = cgroupsUnavailable();
    if (noCgroups)
      log.warn({ why: noCgroups }, 'no cgroups here: sessions run without CPU/memory/process limits');
    else {
      const stale = removeStaleCgroups();
      log.info(
        { ...config.sessionLimits, staleRemoved: stale },
        'each session runs in a cgroup with these limits',
      );
    }
    let refreshHz = config.appRefreshHz;
    if (refreshHz !== 60 && !xorgDummyAvailable()) {
      log.warn(
        { wanted: refreshHz },
        "Xorg's dummy driver is not installed (apt-get install xserver-xorg-core xserver-xorg-video-dummy): app screens run at 60 Hz on Xvfb",
      );
      refreshHz = 60;
    }
    const startApp = (logBindings: Record<string, unknown>, url?: string) =>
      ChromiumRuntime.start({
        url: url ?? appUrl!,
        screen: config.screen,
        executablePath: config.chromium,
        extraArgs: config.chromiumArgs,
        touchEmulation: config.touchEmulation,
        audio: config.audio,
        refreshHz,
        user: config.appUser,
        limits: config.sessionLimits,
        logBindings,
        urlPolicy,
      });
    const auth = new Auth({
      secret: config.auth.secret,
      maxTtlS: config.auth.maxTtlS,
      allowedOrigins: config.auth.allowedOrigins,
      allowedHosts: config.auth.allowedHosts,
    });
    if (auth.open) {
      log.warn(
        'OFFLOAD_AUTH_SECRET is not set: open mode, anyone who can reach this port may create and join sessions',
      );
    }
    // The operator's configured app is trusted (its whole origin); the demo's prefix is added once the port is known.
    const urlPolicy = new UrlPolicy({
      allowPrivate: config.urlPolicy.allowPrivate,
      hostAllowlist: config.urlPolicy.hostAllowlist,
      alwaysAllowed: config.appUrl ? [`${new URL(config.appUrl).origin}/`] : [],
    });
    // A warm runtime comes with its video sender built and waiting: a new session's first frame
    // does not wait for the sender's start-up.
    const preparedSenders = new PreparedSenders((runtime) =>
      senderSpecFor(runtime, config.screen, config.video, config.video.codecs[0]!),
    );
    // Warm runtimes and sessions together stay within the host's session limit.
    const warm: WarmPool = new WarmPool({
      size: config.warmRuntimes,
      start: async () => {
        const runtime = await startApp({ warm: true });
        preparedSenders.prepare(runtime);
        return runtime;
      },
      canGrow: () => sessions.sessions.size + sessions.starting + warm.size < config.maxSessions,
      refillDelayMs: WARM_REFILL_DELAY_MS,
    });
    const sessions = new SessionManager({
      pool,
      maxSessions: config.maxSessions,
      maxViewers: config.maxViewers,
      idleTimeoutMs: config.sessionIdleTimeoutS * 1000,
      inputRate: config.inputRate,
      resumeGraceMs: config.resumeGraceS * 1000,
      viewersPerRouter: config.viewersPerRouter,
      screen: config.screen,
      video: config.video,
      takePreparedSender: (runtime) => preparedSenders.take(runtime),
      // Warm runtimes show the server's app: a session asking for another URL starts its own.
      startRuntime: async ({ sessionId, url }) =>
        (url ? undefined : await warm.acquire()) ?? startApp({ sessionId }, url),
    });
    const cluster = new Cluster({
      settings: config.cluster,
      sessions,
      maxSessions: config.maxSessions,
      version: SERVER_VERSION,
      urlPolicy,
    });
    const metrics = new Metrics(sessions, pool);
    if (cluster.enabled)
      metrics.observeCluster({
        storeUp: () => cluster.health()?.status === 'ok',
        liveNodes: () => cluster.registry?.lastLiveCount ?? 0,
      });
    sessions.observer.on('new-session', (s) => {
      // Room freed once the app has exited: top the pool up again.
      s.observer.once('close', () => s.runtime.close().finally(() => warm.fill()));
      s.observer.on('input-timing', (segments) => metrics.observeServerSegments(segments));
    });
    const http = createHttpServer({
      sessions,
      metrics,
      clientDir: config.clientDir ?? DEFAULT_CLIENT_DIR,
      debug: config.debug,
      health: () => ({ workers: pool.workers.length, warmRuntimes: warm.ready, ...cluster.health() }),
      authApi: { auth, urlPolicy, apiKey: config.auth.apiKey, publicUrl: config.auth.publicUrl },
      allowedOrigins: config.auth.allowedOrigins,
      hosts: auth.hosts,
      debugKey: config.auth.apiKey,
      playerServers: config.auth.playerServers,
      internalApi: cluster.internalApi,
    });
    const signaling = new SignalingServer(http, {
      sessions,
      serverVersion: SERVER_VERSION,
      routerRtpCapabilities: routerRtpCapabilities as Record<string, unknown>,
      resumeTokens: new ResumeTokens(loadServerKey(config.auth.secret, config.stateDir), RESUME_TOKEN_TTL_S),
      onLatencyReport: (samples) => metrics.observeClientSamples(samples),
      auth,
      urlPolicy,
      cluster,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => resolve());
      });
    } catch (err) {
      signaling.close();
      pool.close();
      throw err;
    }
    const port = (http.address() as AddressInfo).port;
    // The app runtime loads the demo from this very server, over loopback.
    if (!appUrl) {
      appUrl = `http://127.0.0.1:${port}/demo/`;
      urlPolicy.allowPrefix(appUrl);
    }
    // Named by its port (by default), this node joins the cluster (never fails: a store that is
    // down now is retried in the background).
    await cluster.start({ host: config.host, port });
    // Only now: the warm apps load the demo from this very server.
    warm.fill();
    // A root server runs senders as the apps' accounts, from files and a plugin registry it
    // prepares once: now, not in the first session's start-up (~1.5 s to scan GStreamer's plugins).
    if (process.getuid?.() === 0)
      prepareSenderFiles().catch((err: Error) =>
        log.warn({ err: err.message }, 'video sender files not prepared; the first session will try again'),
      );
    log.info({ port, host: config.host, workers: config.workers }, 'offload listening');
    return new Offload(
      config,
      pool,
      sessions,
      http,
      signaling,
      warm,
      preparedSenders,
      auth,
      urlPolicy,
      cluster,
    );
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return `http://${host}:${this.port}/`;
  }

  /**
   * Graceful: tells clients the server is restarting (WebSocket close 1012: they reconnect
   * and resume, here or on the server that replaces this one), stops accepting, closes
   * sessions (their apps exit), then the workers.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.pool.stopReplacing();
      this.signaling.close();
      await new Promise<void>((r) => {
        this.http.close(() => r());
        this.http.closeAllConnections();
      });
      await Promise.all([this.warm.close(), this.sessions.close()]);
      // After the sessions: their directory entries went as they closed.
      await this.cluster.close();
      this.preparedSenders.closeAll();
      this.pool.close();
      log.info('offload stopped');
    })();
    return this.#closing;
  }
}
