import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createHttpServer, DEFAULT_CLIENT_DIR } from './http/HttpServer.js';
import { moduleLogger } from './logger.js';
import { WorkerPool } from './media/WorkerPool.js';
import { Metrics } from './metrics/Metrics.js';
import { ChromiumRuntime } from './runtime/ChromiumRuntime.js';
import { SessionManager } from './session/SessionManager.js';
import { SignalingServer } from './signaling/SignalingServer.js';

const log = moduleLogger('offload');
export const SERVER_VERSION = '0.1.0';

/** The whole server: worker pool → sessions, HTTP + signaling on one port. */
export class Offload {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly config: Config,
    readonly pool: WorkerPool,
    readonly sessions: SessionManager,
    readonly http: ReturnType<typeof createHttpServer>,
    readonly signaling: SignalingServer,
  ) {}

  static async start(config: Config): Promise<Offload> {
    const pool = await WorkerPool.create({
      size: config.workers,
      listenIp: config.rtc.listenIp,
      announcedAddress: config.rtc.announcedAddress,
      port: config.rtc.port,
    });
    let appUrl = config.appUrl;
    const sessions = new SessionManager({
      pool,
      maxSessions: config.maxSessions,
      maxViewers: config.maxViewers,
      idleTimeoutMs: config.sessionIdleTimeoutS * 1000,
      inputRate: config.inputRate,
      viewersPerRouter: config.viewersPerRouter,
      screen: config.screen,
      video: config.video,
      startRuntime: ({ sessionId, screen }) =>
        ChromiumRuntime.start({
          url: appUrl!,
          screen,
          executablePath: config.chromium,
          logBindings: { sessionId },
        }),
    });
    const metrics = new Metrics(sessions, pool);
    sessions.observer.on('newsession', (s) => {
      s.observer.on('inputtiming', (segments) => metrics.observeServerSegments(segments));
    });
    const http = createHttpServer({
      sessions,
      metrics,
      clientDir: config.clientDir ?? DEFAULT_CLIENT_DIR,
      debug: config.debug,
      health: () => ({ workers: pool.workers.length }),
    });
    const signaling = new SignalingServer(http, {
      sessions,
      serverVersion: SERVER_VERSION,
      onLatencyReport: (samples) => metrics.observeClientSamples(samples),
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
    appUrl ??= `http://127.0.0.1:${port}/demo/`;
    log.info({ port, host: config.host, workers: config.workers }, 'offload listening');
    return new Offload(config, pool, sessions, http, signaling);
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.config.host === '0.0.0.0' || this.config.host === '::' ? '127.0.0.1' : this.config.host;
    return `http://${host}:${this.port}/`;
  }

  /** Graceful: stops accepting, closes sessions (their apps exit), then the workers. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.signaling.close();
      await new Promise<void>((r) => {
        this.http.close(() => r());
        this.http.closeAllConnections();
      });
      await this.sessions.close();
      this.pool.close();
      log.info('offload stopped');
    })();
    return this.#closing;
  }
}
