import type { types } from 'mediasoup';
import { type Logger, moduleLogger } from '../logger.js';
import { type SimulcastSettings, simulcastLayers } from '../media/simulcast.js';
import type { PooledWorker, WorkerPool } from '../media/WorkerPool.js';
import { SafeEmitter } from '../util/SafeEmitter.js';

/**
 * The bandwidth-estimate floor for a viewer's receive transport (bit/s): half the lowest
 * simulcast layer's target bitrate (300 kbit/s with the defaults: 3000 × 0.2 / 2), under
 * what the top layer needs, over what the low layer of a calm app screen takes (~220 kbit/s
 * measured on the demo). Undefined without simulcast: a single stream ignores the estimate.
 */
export function lowestLayerFloor(video: { kbps: number; simulcast?: SimulcastSettings }): number | undefined {
  if (!video.simulcast || video.simulcast.layers < 2) return undefined;
  const [low] = simulcastLayers(720, 1280, video.kbps, video.simulcast);
  return Math.round((low!.kbps * 1000) / 2);
}

/** A router of the group and what its viewers need from it. */
export interface RouterSlot {
  readonly router: types.Router;
  /** The WebRtcServer of the router's worker: viewers' transports listen there. */
  readonly webRtcServer: types.WebRtcServer;
  /**
   * A DirectTransport on this router: its viewers' input data producers are consumed here and
   * their report channels produced here. Messages reach Node the same from any worker, so a
   * piped router has its own instead of piping every data channel back to the origin router.
   */
  readonly inputTransport: types.DirectTransport;
  readonly workerIndex: number;
  /** Whether the session's video arrives here through pipeToRouter (false: the origin router). */
  readonly piped: boolean;
}

/** Where one viewer goes; release() once it has left (idempotent). */
export interface Placement extends RouterSlot {
  release(): void;
}

export interface RouterGroupOptions {
  sessionId: string;
  /** The session's own router (its video is produced there). Not owned: close() leaves it open. */
  origin: Omit<RouterSlot, 'piped'>;
  /** Where routers on other workers come from; without it every viewer goes on the origin. */
  pool?: WorkerPool;
  /** Viewers per router before the next one goes on a router on another worker. */
  viewersPerRouter: number;
  /** Codecs for new routers: the origin's, so piped producers fit. */
  mediaCodecs: types.RtpCodecCapability[];
  /** A piped router without viewers for this long is closed (ms). Default 30 000. */
  idleCloseMs?: number;
}

export type RouterGroupObserverEvents = {
  'new-router': [slot: RouterSlot];
  /** A piped router closed: idle, or its worker died (its viewers' transports are gone). */
  'router-close': [slot: RouterSlot, reason: 'idle' | 'worker closed' | 'group closed'];
};

interface Slot extends RouterSlot {
  viewers: number;
  worker?: PooledWorker & { release(): void };
  idleTimer?: NodeJS.Timeout;
  /** Origin producer id → its pipe producer on this router. */
  pipes: Map<string, Promise<void>>;
}

/**
 * The routers a session's viewers are spread over: the origin router (where the app's video
 * is produced) and, once it carries `viewersPerRouter` viewers, routers on other workers that
 * the video is piped to (`router.pipeToRouter`), at most one per worker. New viewers go on the
 * first router with room, else on a new router on the least-loaded other worker, else (every
 * worker used) on the router with the fewest viewers. A piped router left without viewers is
 * closed after `idleCloseMs`.
 *
 * Rebuilding after a worker crash: close() the group (it closes its piped routers and gives
 * their workers back, never the origin) and make a new one around the new origin router.
 */
export class RouterGroup {
  readonly observer = new SafeEmitter<RouterGroupObserverEvents>('router-group');
  readonly #o: RouterGroupOptions;
  readonly #slots: Slot[];
  readonly #log: Logger;
  #growing: Promise<void> | undefined;
  #closed = false;

  constructor(o: RouterGroupOptions) {
    if (!Number.isInteger(o.viewersPerRouter) || o.viewersPerRouter < 1)
      throw new TypeError('viewersPerRouter must be a positive integer');
    this.#o = o;
    this.#slots = [{ ...o.origin, piped: false, viewers: 0, pipes: new Map() }];
    this.#log = moduleLogger('router-group', { sessionId: o.sessionId });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The routers, origin first. */
  get routers(): readonly RouterSlot[] {
    return this.#slots;
  }

  /** A router for one more viewer; may create a router on another worker and wait for it. */
  async place(): Promise<Placement> {
    for (;;) {
      if (this.#closed) throw new Error('router group is closed');
      const open = this.#slots.find((s) => s.viewers < this.#o.viewersPerRouter && !s.router.closed);
      if (open) return this.#take(open);
      if (this.#growing) {
        await this.#growing;
        continue;
      }
      const worker = this.#o.pool?.acquireOther(this.#slots.map((s) => s.workerIndex));
      if (!worker) return this.#take(this.#leastLoaded());
      let failed = false;
      this.#growing = this.#addRouter(worker)
        .catch((err) => {
          failed = true;
          worker.release();
          this.#log.error({ err, worker: worker.index }, 'could not add a router; placing on a full one');
        })
        .finally(() => {
          this.#growing = undefined;
        });
      await this.#growing;
      if (failed) return this.#take(this.#leastLoaded());
    }
  }

  /**
   * Makes `producer` (produced on the origin router) consumable on `router`, a router of this
   * group: pipes it there once, by the same id. Nothing to do on the origin.
   */
  async producerOn(router: types.Router, producer: types.Producer): Promise<void> {
    const slot = this.#slots.find((s) => s.router === router);
    if (!slot) throw new Error(`router ${router.id} is not in this group`);
    if (!slot.piped) return;
    let p = slot.pipes.get(producer.id);
    if (!p) {
      p = this.#o.origin.router.pipeToRouter({ producerId: producer.id, router }).then(({ pipeProducer }) => {
        pipeProducer?.observer.once('close', () => slot.pipes.delete(producer.id));
      });
      slot.pipes.set(producer.id, p);
      p.catch(() => slot.pipes.delete(producer.id));
    }
    await p;
  }

  /** Routers with their worker and viewer count, for the debug endpoint and metrics. */
  describe(): { routerId: string; workerIndex: number; piped: boolean; viewers: number }[] {
    return this.#slots.map((s) => ({
      routerId: s.router.id,
      workerIndex: s.workerIndex,
      piped: s.piped,
      viewers: s.viewers,
    }));
  }

  /** Closes the piped routers and gives their workers back; the origin router stays (its owner closes it). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots.slice(1)) this.#drop(s, 'group closed');
  }

  async #addRouter(worker: PooledWorker & { release(): void }): Promise<void> {
    const router = await worker.worker.createRouter({
      mediaCodecs: this.#o.mediaCodecs,
      appData: { sessionId: this.#o.sessionId, piped: true },
    });
    let inputTransport: types.DirectTransport;
    try {
      inputTransport = await router.createDirectTransport({ maxMessageSize: 16 * 1024 });
    } catch (err) {
      router.close();
      throw err;
    }
    if (this.#closed) {
      router.close();
      worker.release();
      return;
    }
    const slot: Slot = {
      router,
      webRtcServer: worker.webRtcServer,
      inputTransport,
      workerIndex: worker.index,
      piped: true,
      viewers: 0,
      worker,
      pipes: new Map(),
    };
    this.#slots.push(slot);
    router.observer.once('close', () => this.#drop(slot, 'worker closed'));
    this.#log.info(
      { routerId: router.id, worker: worker.index, routers: this.#slots.length },
      'viewers now also on a router on another worker',
    );
    this.observer.safeEmit('new-router', slot);
  }

  #take(slot: Slot): Placement {
    slot.viewers++;
    clearTimeout(slot.idleTimer);
    let released = false;
    return {
      router: slot.router,
      webRtcServer: slot.webRtcServer,
      inputTransport: slot.inputTransport,
      workerIndex: slot.workerIndex,
      piped: slot.piped,
      release: () => {
        if (released) return;
        released = true;
        slot.viewers = Math.max(0, slot.viewers - 1);
        if (slot.piped && slot.viewers === 0 && !this.#closed) {
          slot.idleTimer = setTimeout(() => {
            if (slot.viewers === 0) this.#drop(slot, 'idle');
          }, this.#o.idleCloseMs ?? 30_000);
          slot.idleTimer.unref();
        }
      },
    };
  }

  #leastLoaded(): Slot {
    const live = this.#slots.filter((s) => !s.router.closed);
    return (live.length ? live : this.#slots).reduce((a, b) => (b.viewers < a.viewers ? b : a));
  }

  #drop(slot: Slot, reason: 'idle' | 'worker closed' | 'group closed'): void {
    const i = this.#slots.indexOf(slot);
    if (i <= 0) return; // gone already, or the origin
    this.#slots.splice(i, 1);
    clearTimeout(slot.idleTimer);
    slot.router.close();
    slot.worker?.release();
    this.#log.info({ routerId: slot.router.id, worker: slot.workerIndex, reason }, 'piped router closed');
    this.observer.safeEmit('router-close', slot, reason);
  }
}
