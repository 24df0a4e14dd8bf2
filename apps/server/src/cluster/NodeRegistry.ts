import { moduleLogger } from '../logger.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import type { ClusterStore } from './ClusterStore.js';
import type { NodeRecord } from './types.js';

const log = moduleLogger('node-registry');

/** A node's record lives this many heartbeats: one or two lost writes do not take it out. */
export const TTL_HEARTBEATS = 3;

export type NodeRegistryEvents = {
  /** A heartbeat was written after one or more had failed (the store came back, maybe empty). */
  'store-back': [];
};

export interface NodeRegistryOptions {
  store: ClusterStore;
  /** This node's record as of now (without the heartbeat time). */
  self: () => Omit<NodeRecord, 'heartbeatAt'>;
  /** Between heartbeats (ms); the record expires after TTL_HEARTBEATS of them. */
  heartbeatMs: number;
}

/**
 * This node in the cluster store: registers it, renews its record every heartbeat (with its
 * sessions in use and draining flag, so placement sees its room), lists the live nodes, and
 * deregisters on a clean shutdown. A node that stops heartbeating is gone once its record
 * expires (TTL_HEARTBEATS × heartbeatMs).
 */
export class NodeRegistry {
  readonly events = new SafeEmitter<NodeRegistryEvents>('node-registry');
  readonly #o: NodeRegistryOptions;
  #timer: NodeJS.Timeout | undefined;
  /** The heartbeat being written, if any: publishNow() waits for it instead of writing twice at once. */
  #beating: Promise<boolean> | undefined;
  #failing = false;
  #closed = false;
  /** stopHeartbeat(): nothing is written any more, as from a frozen process. */
  #stopped = false;
  /** Live nodes as of the last successful listing (for /healthz and /metrics). */
  #lastLive = 0;

  constructor(o: NodeRegistryOptions) {
    this.#o = o;
  }

  get id(): string {
    return this.#o.self().id;
  }

  get ttlMs(): number {
    return this.#o.heartbeatMs * TTL_HEARTBEATS;
  }

  /** Live nodes the last listing found. */
  get lastLiveCount(): number {
    return this.#lastLive;
  }

  /** Whether the last heartbeat failed (the store is unreachable). */
  get failing(): boolean {
    return this.#failing;
  }

  /** Registers now and keeps the record fresh. */
  async start(): Promise<void> {
    await this.publishNow();
    this.#schedule();
  }

  /**
   * Writes this node's record now (after its sessions changed, so placement elsewhere sees the
   * room at once rather than a heartbeat later); true if it was written.
   */
  async publishNow(): Promise<boolean> {
    if (this.#closed || this.#stopped) return false;
    // One write at a time; a write asked for during one starts after it (it may carry newer counts).
    const prev = this.#beating;
    const next = (async () => {
      await prev?.catch(() => {});
      return this.#beat();
    })();
    this.#beating = next;
    return next.finally(() => {
      if (this.#beating === next) this.#beating = undefined;
    });
  }

  /** Stops heartbeating without deregistering: the record expires as a dead node's would (tests). */
  stopHeartbeat(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Every node whose record has not expired, this one included (if its heartbeat got through). */
  async live(): Promise<NodeRecord[]> {
    const nodes = await this.#o.store.liveNodes();
    this.#lastLive = nodes.length;
    return nodes;
  }

  /** Stops heartbeating and removes this node's record (a clean shutdown). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#beating?.catch(() => {});
    await this.#o.store.removeNode(this.id).catch((err: Error) => {
      log.warn({ err: err.message }, 'could not deregister (the record expires by itself)');
    });
  }

  #schedule(): void {
    this.#timer = setInterval(() => void this.publishNow(), this.#o.heartbeatMs);
    this.#timer.unref();
  }

  async #beat(): Promise<boolean> {
    try {
      await this.#o.store.putNode({ ...this.#o.self(), heartbeatAt: Date.now() }, this.ttlMs);
      await this.live();
    } catch (err) {
      if (!this.#failing) log.warn({ err: (err as Error).message }, 'heartbeat failed; retrying');
      this.#failing = true;
      return false;
    }
    if (this.#failing) {
      this.#failing = false;
      log.info('heartbeat written again');
      this.events.safeEmit('store-back');
    }
    return true;
  }
}
