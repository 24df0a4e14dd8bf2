import { SafeEmitter } from '../util/SafeEmitter.js';
import type { ClusterStore, ClusterStoreEvents } from './ClusterStore.js';
import type { NodeRecord } from './types.js';

/**
 * The cluster store of a single node, in this process (no OFFLOAD_REDIS_URL): the same
 * semantics as RedisStore, with nothing to connect to. It holds this node only, so every
 * placement stays here and the server behaves as it did before clustering existed.
 */
export class EmbeddedStore implements ClusterStore {
  readonly kind = 'embedded';
  readonly available = true;
  readonly events = new SafeEmitter<ClusterStoreEvents>('embedded-store');
  readonly #nodes = new Map<string, { record: NodeRecord; expires: number }>();
  readonly #sessions = new Map<string, string>();
  /** nodeId → reservation id → expiry (ms). */
  readonly #reservations = new Map<string, Map<string, number>>();

  constructor(readonly now: () => number = Date.now) {}

  async putNode(record: NodeRecord, ttlMs: number): Promise<void> {
    this.#nodes.set(record.id, { record, expires: this.now() + ttlMs });
  }

  async removeNode(id: string): Promise<void> {
    this.#nodes.delete(id);
    this.#reservations.delete(id);
  }

  async liveNodes(): Promise<NodeRecord[]> {
    const now = this.now();
    for (const [id, n] of this.#nodes) if (n.expires <= now) this.#nodes.delete(id);
    return [...this.#nodes.values()].map((n) => n.record);
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    const n = this.#nodes.get(id);
    return n && n.expires > this.now() ? n.record : undefined;
  }

  async setSession(sessionId: string, nodeId: string): Promise<void> {
    this.#sessions.set(sessionId, nodeId);
  }

  async sessionNode(sessionId: string): Promise<string | undefined> {
    return this.#sessions.get(sessionId);
  }

  async deleteSession(sessionId: string, nodeId: string): Promise<void> {
    if (this.#sessions.get(sessionId) === nodeId) this.#sessions.delete(sessionId);
  }

  async replaceNodeSessions(nodeId: string, sessionIds: string[]): Promise<void> {
    for (const [sid, node] of this.#sessions) if (node === nodeId) this.#sessions.delete(sid);
    for (const sid of sessionIds) this.#sessions.set(sid, nodeId);
  }

  async purgeNode(nodeId: string): Promise<number> {
    let n = 0;
    for (const [sid, node] of this.#sessions) {
      if (node !== nodeId) continue;
      this.#sessions.delete(sid);
      n++;
    }
    this.#reservations.delete(nodeId);
    return n;
  }

  async reserve(nodeId: string, reservationId: string, ttlMs: number): Promise<boolean> {
    const node = await this.getNode(nodeId);
    if (!node) return false;
    const now = this.now();
    const held = this.#reservations.get(nodeId) ?? new Map<string, number>();
    for (const [id, exp] of held) if (exp <= now) held.delete(id);
    if (node.draining || node.inUse + held.size >= node.capacity) return false;
    held.set(reservationId, now + ttlMs);
    this.#reservations.set(nodeId, held);
    return true;
  }

  async release(nodeId: string, reservationId: string): Promise<void> {
    this.#reservations.get(nodeId)?.delete(reservationId);
  }

  async close(): Promise<void> {}
}
