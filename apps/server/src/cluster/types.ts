import { z } from 'zod';

/**
 * What a node says about itself in the cluster store (see NodeRegistry), read back by every
 * other node: parsed with this schema, since another process (maybe another version) wrote it.
 */
export const NodeRecord = z.object({
  id: z.string().min(1).max(128),
  /** Where other nodes reach this one's internal API (OFFLOAD_NODE_URL). */
  internalUrl: z.string().url().max(2048),
  /** Where clients reach this node (OFFLOAD_PUBLIC_URL): what `session-elsewhere` points them at. */
  publicUrl: z.string().url().max(2048),
  /** Most sessions this node runs (OFFLOAD_MAX_SESSIONS). */
  capacity: z.number().int().nonnegative(),
  /** Sessions running or starting now. */
  inUse: z.number().int().nonnegative(),
  /** A draining node takes no new sessions (phase 3: SIGTERM drains). */
  draining: z.boolean(),
  version: z.string().max(64),
  /** ms since the epoch, this node's clock. */
  heartbeatAt: z.number(),
});
export type NodeRecord = z.infer<typeof NodeRecord>;

/** Free room on a node: sessions it may still start. */
export function freeRoom(n: NodeRecord, reserved = 0): number {
  return n.draining ? 0 : Math.max(0, n.capacity - n.inUse - reserved);
}

/**
 * Where a session is, as the session directory knows it: on this node, on another live node,
 * on a node that stopped heartbeating (its entry is removed as this is answered), or nowhere.
 */
export type SessionLocation =
  | { kind: 'here' }
  | { kind: 'elsewhere'; node: NodeRecord }
  | { kind: 'dead-node'; nodeId: string }
  | { kind: 'unknown' };
