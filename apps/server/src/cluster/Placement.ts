import { randomBytes } from 'node:crypto';
import { OffloadError } from '@offload/protocol';
import { moduleLogger } from '../logger.js';
import type { ClusterStore } from './ClusterStore.js';
import { freeRoom, type NodeRecord } from './types.js';

const log = moduleLogger('placement');

/** A reservation outlives the slowest session start (a busy host needs seconds), then expires. */
export const RESERVATION_TTL_MS = 45_000;

/**
 * The nodes a create may go to, best first: live, not `exclude` (the node placing, which
 * tried itself already), not draining, with room; the most free room first, then by id so
 * that every node ranks alike.
 */
export function rankCandidates(nodes: readonly NodeRecord[], exclude: string): NodeRecord[] {
  return nodes
    .filter((n) => n.id !== exclude && freeRoom(n) > 0)
    .sort((a, b) => freeRoom(b) - freeRoom(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function clusterFull(): OffloadError {
  return new OffloadError(
    'at-capacity',
    'Every server of this cluster runs its maximum of sessions; try again later or join an existing one.',
  );
}

/**
 * Picks the node for a create this node has no room for, and runs the create there: tries the
 * candidates in rank order, each only once it holds a reservation on it (ClusterStore.reserve:
 * atomic, so two concurrent placements cannot both take a node's last slot); a node that
 * answers `at-capacity` anyway (its own count is the authority) or cannot be reached is passed
 * over for the next. The reservation is released once the create answered: by then the host
 * has published its new count.
 */
export class Placement {
  constructor(
    readonly store: ClusterStore,
    readonly selfId: string,
  ) {}

  async place<T>(nodes: readonly NodeRecord[], create: (node: NodeRecord) => Promise<T>): Promise<T> {
    for (const node of rankCandidates(nodes, this.selfId)) {
      const reservation = randomBytes(9).toString('base64url');
      if (!(await this.store.reserve(node.id, reservation, RESERVATION_TTL_MS))) continue;
      try {
        return await create(node);
      } catch (err) {
        if (err instanceof OffloadError && err.code !== 'at-capacity' && err.code !== 'not-ready') throw err;
        log.info({ node: node.id, err: (err as Error).message }, 'placement passed over a node');
      } finally {
        await this.store.release(node.id, reservation).catch(() => {});
      }
    }
    throw clusterFull();
  }
}
