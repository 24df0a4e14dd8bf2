import type { SafeEmitter } from '../util/SafeEmitter.js';
import type { NodeRecord } from './types.js';

export type ClusterStoreEvents = {
  /** The store became reachable (true) or stopped answering (false). */
  status: [available: boolean];
};

/**
 * What the cluster keeps in one place all nodes share: live nodes (each under a key that
 * expires unless its node renews it), the session directory (session → host node) and
 * placement reservations. Two implementations: RedisStore (a cluster; OFFLOAD_REDIS_URL) and
 * EmbeddedStore (one node, in this process: the default). Every method may reject while the
 * store is unreachable; callers log and carry on with what they serve themselves.
 */
export interface ClusterStore {
  readonly kind: 'redis' | 'embedded';
  /** Whether the store answers now. */
  readonly available: boolean;
  readonly events: SafeEmitter<ClusterStoreEvents>;
  /** Writes a node's record, live for `ttlMs` unless written again. */
  putNode(record: NodeRecord, ttlMs: number): Promise<void>;
  /** A clean shutdown: the record and the node's reservations go at once. */
  removeNode(id: string): Promise<void>;
  /** Every node whose record has not expired (index entries of expired ones are pruned). */
  liveNodes(): Promise<NodeRecord[]>;
  getNode(id: string): Promise<NodeRecord | undefined>;
  /** The session directory: `sessionId` runs on `nodeId`. */
  setSession(sessionId: string, nodeId: string): Promise<void>;
  sessionNode(sessionId: string): Promise<string | undefined>;
  /** Removes the entry if it still names `nodeId` (a session re-created elsewhere keeps its new one). */
  deleteSession(sessionId: string, nodeId: string): Promise<void>;
  /** Makes `nodeId`'s entries exactly `sessionIds` (after the store came back, maybe emptied). */
  replaceNodeSessions(nodeId: string, sessionIds: string[]): Promise<void>;
  /** Removes every directory entry and reservation of a node that stopped heartbeating; how many sessions. */
  purgeNode(nodeId: string): Promise<number>;
  /**
   * Atomically: if `nodeId` is live, not draining and its sessions in use + unexpired
   * reservations are below its capacity, holds one more reservation (`reservationId`, for
   * `ttlMs`) and answers true. Two placing nodes cannot both take a node's last slot.
   */
  reserve(nodeId: string, reservationId: string, ttlMs: number): Promise<boolean>;
  release(nodeId: string, reservationId: string): Promise<void>;
  close(): Promise<void>;
}
