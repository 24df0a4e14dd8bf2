import type { types } from 'mediasoup';
import { routerMediaCodecs, type VideoCodecName } from '../media/codecs.js';
import type { PooledWorker, WorkerPool } from '../media/WorkerPool.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import { RouterGroup, type RouterSlot } from './RouterGroup.js';

export type LeasedWorker = PooledWorker & { release(): void };

export type SessionMediaEvents = {
  /** The origin router closed because its worker died: the session must rebuild its media. */
  lost: [];
  /** A router the video was piped to lost its worker: the viewers on it lost their transports. */
  'piped-lost': [router: types.Router];
};

export interface SessionMediaOptions {
  sessionId: string;
  codecs: VideoCodecName[];
  /** Fan-out: past `viewersPerRouter` viewers on a router, the video is piped to a router on another worker of `pool`. */
  fanout?: { pool: WorkerPool; viewersPerRouter: number } | undefined;
}

/**
 * A session's place in mediasoup: the leased worker, the origin router the app's video is
 * produced into, the DirectTransport where input arrives in Node, and the group of routers
 * viewers are spread over. rebuild() moves it all to a live worker when the worker died.
 */
export class SessionMedia {
  readonly events = new SafeEmitter<SessionMediaEvents>('session-media');
  #worker: LeasedWorker;
  #router: types.Router;
  #inputTransport: types.DirectTransport;
  #routers: RouterGroup;

  private constructor(
    private readonly o: SessionMediaOptions,
    worker: LeasedWorker,
    media: { router: types.Router; inputTransport: types.DirectTransport },
  ) {
    this.#worker = worker;
    this.#router = media.router;
    this.#inputTransport = media.inputTransport;
    this.#routers = this.#newRouterGroup();
    this.#watch(media.router);
  }

  /** A router and input transport on `worker` (released by the caller if this fails). */
  static async create(o: SessionMediaOptions, worker: LeasedWorker): Promise<SessionMedia> {
    return new SessionMedia(o, worker, await SessionMedia.#routerOn(worker, o));
  }

  static async #routerOn(
    worker: LeasedWorker,
    o: SessionMediaOptions,
  ): Promise<{ router: types.Router; inputTransport: types.DirectTransport }> {
    const router = await worker.worker.createRouter({
      mediaCodecs: routerMediaCodecs(o.codecs),
      appData: { sessionId: o.sessionId },
    });
    try {
      const inputTransport = await router.createDirectTransport({ maxMessageSize: 16 * 1024 });
      return { router, inputTransport };
    } catch (err) {
      router.close();
      throw err;
    }
  }

  get worker(): LeasedWorker {
    return this.#worker;
  }

  get router(): types.Router {
    return this.#router;
  }

  get inputTransport(): types.DirectTransport {
    return this.#inputTransport;
  }

  /** The routers viewers are spread over (the origin router first). */
  get routers(): RouterGroup {
    return this.#routers;
  }

  get webRtcServer(): types.WebRtcServer {
    return this.#worker.webRtcServer;
  }

  #newRouterGroup(): RouterGroup {
    const group = new RouterGroup({
      sessionId: this.o.sessionId,
      origin: {
        router: this.#router,
        webRtcServer: this.#worker.webRtcServer,
        inputTransport: this.#inputTransport,
        workerIndex: this.#worker.index,
      },
      pool: this.o.fanout?.pool,
      viewersPerRouter: this.o.fanout?.viewersPerRouter ?? Number.MAX_SAFE_INTEGER,
      mediaCodecs: routerMediaCodecs(this.o.codecs),
    });
    group.observer.on('router-close', (slot: RouterSlot, reason: string) => {
      if (reason === 'worker closed') this.events.safeEmit('piped-lost', slot.router);
    });
    return group;
  }

  #watch(router: types.Router): void {
    router.observer.once('close', () => {
      if (router === this.#router) this.events.safeEmit('lost');
    });
  }

  /**
   * Moves to a live worker (from `acquire`), with a new router group; false if `closed()`
   * became true meanwhile (nothing is left half made). The old worker is released first.
   */
  async rebuild(acquire: () => Promise<LeasedWorker>, closed: () => boolean): Promise<boolean> {
    this.#worker.release();
    const worker = await acquire();
    this.#worker = worker;
    if (closed()) return false;
    const media = await SessionMedia.#routerOn(worker, this.o);
    if (closed()) {
      media.router.close();
      return false;
    }
    this.#router = media.router;
    this.#inputTransport = media.inputTransport;
    this.#routers.close();
    this.#routers = this.#newRouterGroup();
    this.#watch(media.router);
    return true;
  }

  /** Closes the routers; the worker stays leased until release(). */
  close(): void {
    this.#routers.close();
    this.#router.close();
  }

  /** Gives the worker back to the pool (once the session's processes are gone). */
  release(): void {
    this.#worker.release();
  }
}
