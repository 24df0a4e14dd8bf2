import { TestRedis } from '@offload/testkit/redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry } from './NodeRegistry.js';
import { RedisStore } from './RedisStore.js';
import { SessionDirectory } from './SessionDirectory.js';
import type { NodeRecord } from './types.js';

const record = (id: string, capacity = 2, inUse = 0): Omit<NodeRecord, 'heartbeatAt'> => ({
  id,
  internalUrl: `http://127.0.0.1:1/`,
  publicUrl: `http://127.0.0.1:1/`,
  capacity,
  inUse,
  draining: false,
  version: 'test',
});

describe('RedisStore against a real redis-server', () => {
  let redis: TestRedis;
  const stores: RedisStore[] = [];
  const newStore = async () => {
    const s = new RedisStore({ url: redis.url });
    await s.connect();
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('registers nodes; one that stops heartbeating is gone after its TTL, one that leaves at once', async () => {
    const [sa, sb, sc] = [await newStore(), await newStore(), await newStore()];
    const a = new NodeRegistry({ store: sa, self: () => record('a'), heartbeatMs: 100 });
    const b = new NodeRegistry({ store: sb, self: () => record('b'), heartbeatMs: 100 });
    const c = new NodeRegistry({ store: sc, self: () => record('c'), heartbeatMs: 100 });
    await Promise.all([a.start(), b.start(), c.start()]);
    const ids = async () => (await a.live()).map((n) => n.id).sort();
    expect(await ids()).toEqual(['a', 'b', 'c']);
    // Still there after several TTLs while it beats.
    await new Promise((r) => setTimeout(r, 500));
    expect(await ids()).toEqual(['a', 'b', 'c']);
    b.stopHeartbeat();
    await expect.poll(ids, { timeout: 2000, interval: 50 }).toEqual(['a', 'c']);
    await c.close();
    expect(await ids()).toEqual(['a']);
    await a.close();
  });

  it('lets concurrent reservations take exactly the free slots (Lua), and never a draining node', async () => {
    const stores3 = [await newStore(), await newStore(), await newStore()];
    await stores3[0]!.putNode({ ...record('n', 3, 1), heartbeatAt: 0 }, 10_000);
    const tries = Array.from({ length: 12 }, (_, i) => stores3[i % 3]!.reserve('n', `r${i}`, 10_000));
    const got = await Promise.all(tries);
    expect(got.filter(Boolean)).toHaveLength(2);
    await stores3[0]!.release('n', `r${got.indexOf(true)}`);
    expect(await stores3[1]!.reserve('n', 'again', 10_000)).toBe(true);
    await stores3[0]!.putNode({ ...record('d', 5, 0), draining: true, heartbeatAt: 0 }, 10_000);
    expect(await stores3[0]!.reserve('d', 'x', 10_000)).toBe(false);
    expect(await stores3[0]!.reserve('nobody', 'x', 10_000)).toBe(false);
    // An expired reservation frees its slot.
    await stores3[0]!.putNode({ ...record('e', 1, 0), heartbeatAt: 0 }, 10_000);
    expect(await stores3[0]!.reserve('e', 'short', 100)).toBe(true);
    expect(await stores3[0]!.reserve('e', 'next', 100)).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(await stores3[0]!.reserve('e', 'next', 100)).toBe(true);
  });

  it("says where a session is, and cleans a dead node's entries up when one is looked up", async () => {
    const [sa, sb] = [await newStore(), await newStore()];
    const a = new NodeRegistry({ store: sa, self: () => record('da'), heartbeatMs: 100 });
    const b = new NodeRegistry({ store: sb, self: () => record('db'), heartbeatMs: 100 });
    await Promise.all([a.start(), b.start()]);
    const dirA = new SessionDirectory(sa, 'da');
    const dirB = new SessionDirectory(sb, 'db');
    await dirB.add('s1');
    await dirB.add('s2');
    await dirA.add('s3');
    expect(await dirA.locate('s3')).toEqual({ kind: 'here' });
    expect(await dirA.locate('s1')).toMatchObject({ kind: 'elsewhere', node: { id: 'db' } });
    expect(await dirA.locate('nope')).toEqual({ kind: 'unknown' });
    // Closed: gone. Removing an entry that names another node leaves it.
    await dirB.remove('s2');
    expect(await dirA.locate('s2')).toEqual({ kind: 'unknown' });
    await dirA.remove('s1');
    expect(await sa.sessionNode('s1')).toBe('db');
    // b dies: the first lookup says so and removes all of b's entries.
    b.stopHeartbeat();
    const bLive = async () => (await a.live()).some((n) => n.id === 'db');
    await expect.poll(bLive, { timeout: 2000, interval: 50 }).toBe(false);
    await dirB.add('s4');
    expect(await dirA.locate('s1')).toEqual({ kind: 'dead-node', nodeId: 'db' });
    expect(await sa.sessionNode('s4')).toBeUndefined();
    expect(await dirA.locate('s1')).toEqual({ kind: 'unknown' });
    await a.close();
  });
});
