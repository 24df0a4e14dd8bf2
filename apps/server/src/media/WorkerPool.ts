import type { types } from 'mediasoup';
import * as mediasoup from 'mediasoup';
import { moduleLogger } from '../logger.js';
import { setRealtime } from '../util/realtime.js';
import { SafeEmitter } from '../util/SafeEmitter.js';

const log = moduleLogger('worker-pool');

export interface WorkerPoolOptions {
  /** Number of workers (one per core is the norm). */
  size: number;
  /** WebRtcServer: listen IP, announced address, first port (worker i gets port + i). */
  listenIp: string;
  announcedAddress: string | undefined;
  port: number;
  /** Port range for PlainTransports (app runtime → router), disjoint from the WebRtcServer ports. */
  rtcMinPort?: number;
  rtcMaxPort?: number;
  /** SCHED_FIFO priority of each worker (see setRealtime); 0 or unset = normal scheduling. */
  realtimePriority?: number;
}

export interface PooledWorker {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
}

interface Slot extends PooledWorker {
  load: number;
}

export type WorkerPoolEvents = {
  /** A worker died; `replacement` runs in its slot (sessions on the dead one are gone). */
  'worker-replaced': [index: number, replacement: PooledWorker];
};

/**
 * One mediasoup worker per core, each with a WebRtcServer so every client of that worker
 * needs a single UDP (or TCP) port. A worker that dies is logged and replaced in its slot.
 */
export class WorkerPool {
  readonly observer = new SafeEmitter<WorkerPoolEvents>('worker-pool');
  readonly #slots: Slot[] = [];
  #closed = false;
  /** The server is stopping: a worker that exits now is not replaced (see stopReplacing). */
  #stopping = false;
  /** Replacement workers started (one per attempt). */
  readonly counts = { replacementsStarted: 0 };

  private constructor(readonly options: WorkerPoolOptions) {}

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new TypeError('size must be a positive integer');
    const pool = new WorkerPool(options);
    try {
      for (let i = 0; i < options.size; i++) pool.#slots.push(await pool.#spawn(i));
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get workers(): readonly PooledWorker[] {
    return this.#slots;
  }

  /** The least-loaded worker; the caller adds load for each router it puts there. */
  acquire(): PooledWorker & { release(): void } {
    if (this.#closed) throw new Error('worker pool is closed');
    return this.#lease(this.#leastLoaded(() => true)!);
  }

  /**
   * The least-loaded live worker whose index is not in `exclude`, or undefined if there is
   * none (a session that pipes its video to more routers wants each on another worker:
   * mediasoup cannot pipe between two routers of one worker, and one worker is one core).
   */
  acquireOther(exclude: Iterable<number>): (PooledWorker & { release(): void }) | undefined {
    if (this.#closed) return undefined;
    const skip = new Set(exclude);
    const slot = this.#leastLoaded((s) => !skip.has(s.index) && !s.worker.closed);
    return slot && this.#lease(slot);
  }

  /** The least-loaded slot that `ok` accepts, if any. */
  #leastLoaded(ok: (s: Slot) => boolean): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.#slots) if (ok(s) && (!best || s.load < best.load)) best = s;
    return best;
  }

  #lease(slot: Slot): PooledWorker & { release(): void } {
    slot.load++;
    let released = false;
    return {
      index: slot.index,
      worker: slot.worker,
      webRtcServer: slot.webRtcServer,
      release: () => {
        if (released) return;
        released = true;
        slot.load = Math.max(0, slot.load - 1);
      },
    };
  }

  /**
   * Like acquire(), but never hands out a dead worker: waits (up to `timeoutMs`) for one that
   * is alive, e.g. while a crashed worker is being replaced.
   */
  async acquireLive(timeoutMs = 10_000): Promise<PooledWorker & { release(): void }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#closed) throw new Error('worker pool is closed');
      const slot = this.#leastLoaded((s) => !s.worker.closed);
      if (slot) return this.#lease(slot);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no live mediasoup worker');
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.observer.off('worker-replaced', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 250));
        this.observer.on('worker-replaced', done);
      });
    }
  }

  /**
   * The server has begun to stop: workers that exit from now on are not replaced. (A Ctrl-C
   * reaches the workers as well as the server, and they exit while its sessions still close.)
   */
  stopReplacing(): void {
    this.#stopping = true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) s.worker.close();
  }

  async #spawn(index: number): Promise<Slot> {
    const o = this.options;
    const worker = await mediasoup.createWorker({
      logLevel: 'warn',
      rtcMinPort: o.rtcMinPort ?? 40000,
      rtcMaxPort: o.rtcMaxPort ?? 40999,
      appData: { index },
    });
    let webRtcServer: types.WebRtcServer;
    try {
      const port = o.port + index;
      // mediasoup 3.13 calls the announced address announcedIp (3.14+ renamed it announcedAddress).
      const info = { ip: o.listenIp, announcedIp: o.announcedAddress, port };
      const listenInfos: types.TransportListenInfo[] = [
        { protocol: 'udp', ...info },
        { protocol: 'tcp', ...info },
      ];
      webRtcServer = await worker.createWebRtcServer({ listenInfos });
    } catch (err) {
      worker.close();
      throw err;
    }
    worker.on('died', (error) => this.#onDied(index, worker, error));
    // It forwards every input to the server and every video packet to the viewers: on a busy
    // host it must not wait behind the apps' drawing.
    if (o.realtimePriority) {
      const failed = setRealtime(worker.pid, o.realtimePriority);
      if (failed) log.warn({ index, err: failed }, 'the mediasoup worker runs at normal priority');
    }
    log.info({ index, pid: worker.pid, port: o.port + index }, 'mediasoup worker started');
    return { index, worker, webRtcServer, load: 0 };
  }

  #onDied(index: number, worker: types.Worker, error: Error): void {
    if (this.#closed || this.#stopping) {
      log.info({ index, pid: worker.pid }, 'mediasoup worker exited while the server stops');
      return;
    }
    log.error({ index, pid: worker.pid, err: error }, 'mediasoup worker died; replacing it');
    // The dead worker's WebRtcServer port is free again once its process is gone.
    const retry = (attempt: number) => {
      this.counts.replacementsStarted++;
      this.#spawn(index).then(
        (slot) => {
          if (this.#closed || this.#stopping) {
            slot.worker.close();
            return;
          }
          this.#slots[index] = slot;
          log.info({ index, pid: slot.worker.pid }, 'mediasoup worker replaced');
          this.observer.safeEmit('worker-replaced', index, slot);
        },
        (err) => {
          log.error({ index, err, attempt }, 'could not replace mediasoup worker');
          if (attempt < 5) setTimeout(() => retry(attempt + 1), 500 * attempt);
        },
      );
    };
    retry(1);
  }
}
