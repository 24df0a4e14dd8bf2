import os from 'node:os';
import { OffloadError } from '@offload/protocol';
import { moduleLogger } from '../logger.js';
import type { UrlPolicy } from '../runtime/urlPolicy.js';
import type { SessionManager } from '../session/SessionManager.js';
import type { ClusterStore } from './ClusterStore.js';
import { EmbeddedStore } from './EmbeddedStore.js';
import { InternalApi } from './InternalApi.js';
import { internalRoutes } from './internalRoutes.js';
import { NodeClient } from './NodeClient.js';
import { NodeRegistry } from './NodeRegistry.js';
import { clusterFull, Placement } from './Placement.js';
import { RedisStore } from './RedisStore.js';
import { SessionDirectory } from './SessionDirectory.js';
import type { NodeRecord, SessionLocation } from './types.js';

const log = moduleLogger('cluster');

/** The cluster's part of the configuration (config.ts, OFFLOAD_REDIS_URL and friends). */
export interface ClusterSettings {
  /** undefined: one node, the embedded store. */
  redisUrl: string | undefined;
  /** Default: `<hostname>:<port>`. */
  nodeId: string | undefined;
  /** How other nodes reach this one (default `http://<listen host>:<port>/`). */
  nodeUrl: string | undefined;
  /** How clients reach this one (OFFLOAD_PUBLIC_URL; default `http://<listen host>:<port>/`). */
  publicUrl: string | undefined;
  /** OFFLOAD_CLUSTER_SECRET: required with Redis (config.ts refuses to start without it). */
  secret: string | undefined;
  /** Between heartbeats (ms); a node is gone TTL_HEARTBEATS of them after its last. */
  heartbeatMs: number;
}

export interface ClusterOptions {
  settings: ClusterSettings;
  sessions: SessionManager;
  maxSessions: number;
  version: string;
  urlPolicy: UrlPolicy | undefined;
  /** Tests: a store of their own. */
  store?: ClusterStore;
}

/** Where a create went: here (`host` undefined) or to another node. */
export interface Placed {
  sessionId: string;
  host?: NodeRecord;
}

/**
 * The cluster as this node sees it: a thin front over the store (Redis, or embedded for a
 * single node), this node's registration (NodeRegistry), the session directory, placement and
 * the internal API. Without OFFLOAD_REDIS_URL it holds this node only and every create runs
 * here exactly as before; the internal API does not exist then.
 */
export class Cluster {
  readonly store: ClusterStore;
  /** Mounted by the HTTP server; undefined when clustering is off. */
  readonly internalApi: InternalApi | undefined;
  readonly #o: ClusterOptions;
  readonly #nodes: NodeClient | undefined;
  #self: Pick<NodeRecord, 'id' | 'internalUrl' | 'publicUrl'> | undefined;
  #registry: NodeRegistry | undefined;
  #directory: SessionDirectory | undefined;
  #placement: Placement | undefined;
  #draining = false;

  constructor(o: ClusterOptions) {
    this.#o = o;
    const { redisUrl, secret } = o.settings;
    this.store = o.store ?? (redisUrl ? new RedisStore({ url: redisUrl }) : new EmbeddedStore());
    if (this.enabled) {
      if (!secret) throw new TypeError('a cluster needs OFFLOAD_CLUSTER_SECRET');
      this.internalApi = new InternalApi(secret);
      this.#nodes = new NodeClient(secret);
    }
  }

  /** Whether this node shares a store with others (Redis), rather than being on its own. */
  get enabled(): boolean {
    return this.store.kind !== 'embedded';
  }

  get nodeId(): string | undefined {
    return this.#self?.id;
  }

  /** The registry (tests stop its heartbeat to play a dead node). */
  get registry(): NodeRegistry | undefined {
    return this.#registry;
  }

  /** Joins the cluster once the HTTP server listens (its port names this node by default). */
  async start(listen: { host: string; port: number }): Promise<void> {
    const s = this.#o.settings;
    const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
    const local = `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}/`;
    this.#self = {
      id: s.nodeId ?? `${os.hostname()}:${listen.port}`,
      internalUrl: s.nodeUrl ?? local,
      publicUrl: s.publicUrl ?? local,
    };
    const sessions = this.#o.sessions;
    this.#registry = new NodeRegistry({
      store: this.store,
      self: () => this.#record(),
      heartbeatMs: s.heartbeatMs,
    });
    this.#directory = new SessionDirectory(this.store, this.#self.id);
    this.#placement = new Placement(this.store, this.#self.id);
    const directory = this.#directory;
    const registry = this.#registry;
    sessions.observer.on('new-session', (session) => {
      void directory.add(session.id).then(() => registry.publishNow());
      session.observer.once(
        'close',
        () => void directory.remove(session.id).then(() => registry.publishNow()),
      );
    });
    // The store came back (maybe emptied by a restart): this node's record and sessions again.
    registry.events.on('store-back', () => void directory.resync([...sessions.sessions.keys()]));
    this.store.events.on('status', (up) => void (up && registry.publishNow()));
    if (this.store instanceof RedisStore) await this.store.connect();
    await registry.start();
    this.internalApi
      ?.add(
        ...internalRoutes({
          sessions,
          urlPolicy: this.#o.urlPolicy,
          accepting: () => !this.#draining,
          published: async (id) => {
            await directory.add(id);
            await registry.publishNow();
          },
          self: () => this.#record(),
        }),
      )
      .open();
    if (this.enabled) log.info({ node: this.#self, store: this.store.kind }, 'joined the cluster');
  }

  /**
   * session/create: here if this node has room, else on the live node with the most (see
   * Placement). `at-capacity` when no node has room (or, with the store unreachable, this one).
   */
  async createSession(o: { url?: string }): Promise<Placed> {
    const sessions = this.#o.sessions;
    let localError: unknown;
    if (!this.enabled || this.#hasRoom()) {
      try {
        return { sessionId: (await sessions.create({ url: o.url })).id };
      } catch (err) {
        if (!this.enabled || !(err instanceof OffloadError) || err.code !== 'at-capacity') throw err;
        localError = err;
      }
    }
    let nodes: NodeRecord[];
    try {
      nodes = await this.#registry!.live();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot place elsewhere: the cluster store is unreachable');
      throw localError ?? clusterFull();
    }
    return this.#placement!.place(nodes, async (node) => ({
      sessionId: await this.#nodes!.createSession(node, { url: o.url }),
      host: node,
    }));
  }

  /** Where a session this node does not run is (`unknown` when clustering is off). */
  async locate(sessionId: string): Promise<SessionLocation> {
    if (!this.enabled || !this.#directory) return { kind: 'unknown' };
    return this.#directory.locate(sessionId);
  }

  /** For /healthz: undefined on a single node (its answer stays as it was). */
  health(): Record<string, unknown> | undefined {
    if (!this.enabled) return undefined;
    const up = this.store.available && !this.#registry?.failing;
    return {
      status: up ? 'ok' : 'degraded',
      cluster: {
        nodeId: this.#self?.id,
        store: up ? 'up' : 'down',
        liveNodes: this.#registry?.lastLiveCount ?? 0,
        draining: this.#draining,
      },
    };
  }

  /** Leaves the cluster: the record goes at once (its sessions' entries go as they close). */
  async close(): Promise<void> {
    await this.#registry?.close();
    await this.store.close();
  }

  #hasRoom(): boolean {
    const s = this.#o.sessions;
    return !this.#draining && s.sessions.size + s.starting < this.#o.maxSessions;
  }

  #record(): NodeRecord {
    const s = this.#o.sessions;
    return {
      ...this.#self!,
      capacity: this.#o.maxSessions,
      inUse: s.sessions.size + s.starting,
      draining: this.#draining,
      version: this.#o.version,
      heartbeatAt: Date.now(),
    };
  }
}
