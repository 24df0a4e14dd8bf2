import { Redis } from 'ioredis';
import { moduleLogger } from '../logger.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import type { ClusterStore, ClusterStoreEvents } from './ClusterStore.js';
import { NodeRecord } from './types.js';

const log = moduleLogger('cluster-store');

/** Every key the cluster writes, under one prefix (README: *Running a cluster*). */
export function clusterKeys(prefix = 'offload:') {
  return {
    /** A node's record (JSON), with a TTL of ~3 heartbeats. */
    node: (id: string) => `${prefix}node:${id}`,
    /** Ids of nodes that registered (entries whose record expired are pruned on listing). */
    nodes: `${prefix}nodes`,
    /** Session id → host node id. */
    session: (sid: string) => `${prefix}session:${sid}`,
    /** A node's session ids (to clean them up when it dies, or re-sync them). */
    nodeSessions: (id: string) => `${prefix}node-sessions:${id}`,
    /** A node's placement reservations: a sorted set, reservation id → expiry (ms, Redis's clock). */
    reservations: (id: string) => `${prefix}reservations:${id}`,
  };
}

/**
 * Takes one reservation on a node if it has room, atomically (one script runs at a time in
 * Redis). KEYS: node record, its reservations. ARGV: reservation id, ttl (ms). Answers 1
 * (reserved), 0 (full), -1 (no such live node), -2 (draining). Time is Redis's own, so the
 * nodes' clocks do not matter.
 */
const RESERVE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return -1 end
local node = cjson.decode(raw)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if node.draining then return -2 end
local held = redis.call('ZCARD', KEYS[2])
if node.inUse + held >= node.capacity then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]) * 2)
return 1
`;

/** Deletes a directory entry only if it still names the node. KEYS: entry, node's set. ARGV: node id, session id. */
const DELETE_SESSION = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('SREM', KEYS[2], ARGV[2])
return 1
`;

export interface RedisStoreOptions {
  url: string;
  /** Key prefix (default `offload:`). */
  prefix?: string;
  /** A command that gets no answer within this fails (ms; default 1000). */
  commandTimeoutMs?: number;
}

/**
 * The cluster store in Redis (ioredis). Commands fail at once while Redis is unreachable (no
 * offline queue: a node must not stall its own sessions waiting on Redis); the client
 * reconnects by itself, at most every 2 s, and `status` tells when Redis comes and goes.
 */
export class RedisStore implements ClusterStore {
  readonly kind = 'redis';
  readonly events = new SafeEmitter<ClusterStoreEvents>('redis-store');
  readonly keys: ReturnType<typeof clusterKeys>;
  readonly #redis: Redis;
  #available = false;

  constructor(o: RedisStoreOptions) {
    this.keys = clusterKeys(o.prefix);
    this.#redis = new Redis(o.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.commandTimeoutMs ?? 1000,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.#redis.defineCommand('offloadReserve', { numberOfKeys: 2, lua: RESERVE });
    this.#redis.defineCommand('offloadDeleteSession', { numberOfKeys: 2, lua: DELETE_SESSION });
    this.#redis.on('ready', () => this.#setAvailable(true));
    this.#redis.on('close', () => this.#setAvailable(false));
    // Without a listener ioredis prints every failed reconnect; status changes are logged once instead.
    this.#redis.on('error', (err: Error) => log.debug({ err: err.message }, 'redis error'));
  }

  get available(): boolean {
    return this.#available;
  }

  /** Connects; a Redis that is down now is not an error (the client keeps trying). */
  async connect(): Promise<void> {
    await this.#redis.connect().catch((err: Error) => {
      log.warn({ err: err.message }, 'Redis is not reachable yet; retrying in the background');
    });
  }

  async putNode(record: NodeRecord, ttlMs: number): Promise<void> {
    await this.#redis
      .multi()
      .set(this.keys.node(record.id), JSON.stringify(record), 'PX', ttlMs)
      .sadd(this.keys.nodes, record.id)
      .exec();
  }

  async removeNode(id: string): Promise<void> {
    await this.#redis
      .multi()
      .del(this.keys.node(id), this.keys.reservations(id))
      .srem(this.keys.nodes, id)
      .exec();
  }

  async liveNodes(): Promise<NodeRecord[]> {
    const ids = await this.#redis.smembers(this.keys.nodes);
    if (ids.length === 0) return [];
    const raws = await this.#redis.mget(ids.map((id) => this.keys.node(id)));
    const live: NodeRecord[] = [];
    const gone: string[] = [];
    ids.forEach((id, i) => {
      const record = parseRecord(raws[i]);
      if (record) live.push(record);
      else gone.push(id);
    });
    // An expired record leaves its id in the index: whoever lists prunes it (its sessions are
    // purged by whoever finds one of them, see SessionDirectory).
    if (gone.length > 0) await this.#redis.srem(this.keys.nodes, ...gone);
    return live;
  }

  async getNode(id: string): Promise<NodeRecord | undefined> {
    return parseRecord(await this.#redis.get(this.keys.node(id)));
  }

  async setSession(sessionId: string, nodeId: string): Promise<void> {
    await this.#redis
      .multi()
      .set(this.keys.session(sessionId), nodeId)
      .sadd(this.keys.nodeSessions(nodeId), sessionId)
      .exec();
  }

  async sessionNode(sessionId: string): Promise<string | undefined> {
    return (await this.#redis.get(this.keys.session(sessionId))) ?? undefined;
  }

  async deleteSession(sessionId: string, nodeId: string): Promise<void> {
    await (this.#redis as RedisWithScripts).offloadDeleteSession(
      this.keys.session(sessionId),
      this.keys.nodeSessions(nodeId),
      nodeId,
      sessionId,
    );
  }

  async replaceNodeSessions(nodeId: string, sessionIds: string[]): Promise<void> {
    const old = await this.#redis.smembers(this.keys.nodeSessions(nodeId));
    const keep = new Set(sessionIds);
    for (const sid of old) if (!keep.has(sid)) await this.deleteSession(sid, nodeId);
    for (const sid of sessionIds) await this.setSession(sid, nodeId);
  }

  async purgeNode(nodeId: string): Promise<number> {
    const sids = await this.#redis.smembers(this.keys.nodeSessions(nodeId));
    for (const sid of sids) await this.deleteSession(sid, nodeId);
    await this.#redis.del(this.keys.nodeSessions(nodeId), this.keys.reservations(nodeId));
    return sids.length;
  }

  async reserve(nodeId: string, reservationId: string, ttlMs: number): Promise<boolean> {
    const r = await (this.#redis as RedisWithScripts).offloadReserve(
      this.keys.node(nodeId),
      this.keys.reservations(nodeId),
      reservationId,
      String(ttlMs),
    );
    return r === 1;
  }

  async release(nodeId: string, reservationId: string): Promise<void> {
    await this.#redis.zrem(this.keys.reservations(nodeId), reservationId);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
    this.#setAvailable(false);
  }

  #setAvailable(up: boolean): void {
    if (up === this.#available) return;
    this.#available = up;
    if (up) log.info('Redis is reachable: cluster state is shared again');
    else log.warn('Redis is unreachable: this node serves its own sessions only until it returns');
    this.events.safeEmit('status', up);
  }
}

type RedisWithScripts = Redis & {
  offloadReserve(nodeKey: string, reservationsKey: string, id: string, ttlMs: string): Promise<number>;
  offloadDeleteSession(
    sessionKey: string,
    setKey: string,
    nodeId: string,
    sessionId: string,
  ): Promise<number>;
};

/** A node record as another node wrote it; anything unreadable counts as absent (and is logged). */
function parseRecord(raw: string | null | undefined): NodeRecord | undefined {
  if (!raw) return undefined;
  try {
    const r = NodeRecord.safeParse(JSON.parse(raw));
    if (r.success) return r.data;
    log.warn({ issue: r.error.issues[0]?.message }, 'an unreadable node record in Redis was ignored');
  } catch {
    log.warn('a node record in Redis is not JSON; ignored');
  }
  return undefined;
}
