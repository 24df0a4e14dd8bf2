import { moduleLogger } from '../logger.js';
import type { ClusterStore } from './ClusterStore.js';
import type { SessionLocation } from './types.js';

const log = moduleLogger('session-directory');

/**
 * Which node hosts each session: this node's sessions are written when they start and removed
 * when they close; a lookup of a session whose node stopped heartbeating answers `dead-node`
 * and cleans that node's entries up (whoever notices first does it). While the store is
 * unreachable writes are logged and dropped (resync() puts them back) and lookups answer
 * `unknown`: this node goes on serving what it runs.
 */
export class SessionDirectory {
  constructor(
    readonly store: ClusterStore,
    readonly nodeId: string,
  ) {}

  async add(sessionId: string): Promise<void> {
    await this.store.setSession(sessionId, this.nodeId).catch((err: Error) => {
      log.warn({ sessionId, err: err.message }, 'session not written to the directory (re-synced later)');
    });
  }

  async remove(sessionId: string): Promise<void> {
    await this.store.deleteSession(sessionId, this.nodeId).catch((err: Error) => {
      log.warn({ sessionId, err: err.message }, 'session not removed from the directory (re-synced later)');
    });
  }

  /** Makes the directory's entries for this node exactly `sessionIds` (the store came back). */
  async resync(sessionIds: string[]): Promise<void> {
    await this.store.replaceNodeSessions(this.nodeId, sessionIds).then(
      () => log.info({ sessions: sessionIds.length }, 'session directory re-synced'),
      (err: Error) => log.warn({ err: err.message }, 'session directory not re-synced'),
    );
  }

  async locate(sessionId: string): Promise<SessionLocation> {
    try {
      const nodeId = await this.store.sessionNode(sessionId);
      if (nodeId === undefined) return { kind: 'unknown' };
      if (nodeId === this.nodeId) return { kind: 'here' };
      const node = await this.store.getNode(nodeId);
      if (node) return { kind: 'elsewhere', node };
      const purged = await this.store.purgeNode(nodeId);
      log.warn({ nodeId, purged }, "a node stopped heartbeating: its sessions' entries were removed");
      return { kind: 'dead-node', nodeId };
    } catch (err) {
      log.warn({ sessionId, err: (err as Error).message }, 'session directory unreachable');
      return { kind: 'unknown' };
    }
  }
}
