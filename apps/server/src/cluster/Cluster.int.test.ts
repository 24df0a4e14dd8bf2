import { TestRedis } from '@offload/testkit/redis';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { RedisStore } from './RedisStore.js';

const SECRET = 'cluster-secret-for-the-int-test-0123456789';

/**
 * Three real Offload nodes (real workers, real app browsers) sharing one real redis-server,
 * each room for one session: placement, the session directory, session-elsewhere, a node that
 * stops heartbeating, and Redis going away and coming back.
 */
describe('a cluster of three nodes on one Redis', () => {
  let redis: TestRedis;
  let inspect: RedisStore;
  const nodes: Record<'a' | 'b' | 'c', Offload> = {} as never;
  const sockets: TestSocket[] = [];
  const hello = async (n: Offload) => {
    const s = await TestSocket.hello(n.port);
    sockets.push(s);
    return s;
  };
  const health = async (n: Offload) =>
    (await (await fetch(`http://127.0.0.1:${n.port}/healthz`)).json()) as {
      status: string;
      sessions: number;
      cluster: { store: string; liveNodes: number };
    };
  const all = () => Object.values(nodes);
  const hosting = (sessionId: string) => all().find((n) => n.sessions.sessions.has(sessionId));

  beforeAll(async () => {
    redis = await TestRedis.start();
    for (const id of ['a', 'b', 'c'] as const) {
      nodes[id] = await startTestServer({
        OFFLOAD_REDIS_URL: redis.url,
        OFFLOAD_CLUSTER_SECRET: SECRET,
        OFFLOAD_NODE_ID: `node-${id}`,
        OFFLOAD_CLUSTER_HEARTBEAT_MS: '250',
        OFFLOAD_MAX_SESSIONS: '1',
      });
    }
    inspect = new RedisStore({ url: redis.url });
    await inspect.connect();
  }, 120_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    await Promise.all(all().map((n) => n.close()));
    await inspect?.close();
    await redis?.close();
  }, 60_000);

  it('registers every node with its capacity', async () => {
    await expect.poll(async () => (await health(nodes.a)).cluster.liveNodes).toBe(3);
    const live = await inspect.liveNodes();
    expect(live.map((n) => n.id).sort()).toEqual(['node-a', 'node-b', 'node-c']);
    const b = live.find((n) => n.id === 'node-b')!;
    expect(b).toMatchObject({ capacity: 1, inUse: 0, draining: false, publicUrl: nodes.b.url });
  });

  let onA = '';
  let placed: { sessionId: string; hostUrl?: string }[] = [];

  it('creates here while there is room, then on the nodes with room; concurrent creates never overfill', async () => {
    onA = await (await hello(nodes.a)).createSession();
    expect(nodes.a.sessions.sessions.has(onA)).toBe(true);
    expect(await inspect.sessionNode(onA)).toBe('node-a');
    // a is full: three creates at once go to b and c, one each; the third finds no room.
    const answers = await Promise.all(
      [0, 1, 2].map(async () => (await hello(nodes.a)).request('session/create', {}, 60_000)),
    );
    const ok = answers.filter((r) => r.ok);
    const refused = answers.filter((r) => !r.ok);
    expect(ok).toHaveLength(2);
    expect(refused.map((r) => !r.ok && r.error.code)).toEqual(['at-capacity']);
    placed = ok.map((r) => (r.ok ? (r.data as { sessionId: string; hostUrl?: string }) : { sessionId: '' }));
    const hosts = placed.map((p) => hosting(p.sessionId));
    expect(new Set(hosts)).toEqual(new Set([nodes.b, nodes.c]));
    for (const [i, p] of placed.entries()) {
      expect(p.hostUrl).toBe(hosts[i]!.url);
      expect(await inspect.sessionNode(p.sessionId)).toBe(hosts[i]!.cluster.nodeId);
    }
    for (const n of all()) expect(n.sessions.sessions.size).toBe(1);
  });

  it('answers a join on the wrong node with session-elsewhere and its host, and joins on the host', async () => {
    const { sessionId, hostUrl } = placed[0]!;
    const r = await (await hello(nodes.a)).request('session/join', { sessionId });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'session-elsewhere', hostUrl });
    const host = hosting(sessionId)!;
    const joined = await (await hello(host)).request('session/join', { sessionId });
    expect(joined.ok).toBe(true);
    // A session nobody knows is still session-not-found.
    const none = await (await hello(nodes.a)).request('session/join', { sessionId: 'no-such-session' });
    expect(!none.ok && none.error.code).toBe('session-not-found');
  });

  it('removes a closed session from the directory', async () => {
    const { sessionId } = placed[0]!;
    hosting(sessionId)!.sessions.get(sessionId).close('closed');
    await expect.poll(() => inspect.sessionNode(sessionId)).toBeUndefined();
  });

  it('drops a node that stops heartbeating; its sessions are then closed for joiners', async () => {
    const { sessionId } = placed[1]!;
    const dead = hosting(sessionId)!;
    dead.cluster.registry!.stopHeartbeat();
    await expect.poll(async () => (await health(nodes.a)).cluster.liveNodes, { timeout: 5000 }).toBe(2);
    const r = await (await hello(nodes.a)).request('session/join', { sessionId });
    expect(!r.ok && r.error.code).toBe('session-closed');
    expect(await inspect.sessionNode(sessionId)).toBeUndefined();
  });

  it('keeps serving while Redis is down, says so, and re-joins when it is back', async () => {
    await redis.stop();
    await expect.poll(async () => (await health(nodes.a)).status, { timeout: 5000 }).toBe('degraded');
    expect((await health(nodes.a)).cluster.store).toBe('down');
    const metrics = await (await fetch(`http://127.0.0.1:${nodes.a.port}/metrics`)).text();
    expect(metrics).toMatch(/^offload_cluster_store_up 0$/m);
    // a still serves its own session.
    const joined = await (await hello(nodes.a)).request('session/join', { sessionId: onA });
    expect(joined.ok).toBe(true);
    // The node whose session closed creates here, without Redis.
    const freed =
      hosting(placed[0]!.sessionId) ?? [nodes.b, nodes.c].find((n) => n.sessions.sessions.size === 0)!;
    const local = await (await hello(freed)).request('session/create', {}, 60_000);
    expect(local.ok && (local.data as { hostUrl?: string }).hostUrl).toBeUndefined();
    await redis.start();
    await expect.poll(async () => (await health(nodes.a)).status, { timeout: 20_000 }).toBe('ok');
    // The restarted Redis was empty: the nodes wrote themselves and their sessions again.
    await expect.poll(() => inspect.sessionNode(onA), { timeout: 20_000 }).toBe('node-a');
    const newId = local.ok ? (local.data as { sessionId: string }).sessionId : '';
    await expect.poll(() => inspect.sessionNode(newId), { timeout: 20_000 }).toBe(freed.cluster.nodeId);
    expect(await (await fetch(`http://127.0.0.1:${nodes.a.port}/metrics`)).text()).toMatch(
      /^offload_cluster_store_up 1$/m,
    );
  });
});
