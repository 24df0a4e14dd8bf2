import { TestRedis } from '@offload/testkit/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { INTERNAL_PREFIX, MAX_INTERNAL_BODY_BYTES, SECRET_HEADER } from './internalProtocol.js';

const SECRET = 'internal-api-secret-for-the-int-test-0123';

/** The node-to-node API of a real clustered server, and its absence on a single one. */
describe('the internal node API', () => {
  let redis: TestRedis;
  let node: Offload;
  let single: Offload;

  beforeAll(async () => {
    redis = await TestRedis.start();
    node = await startTestServer({
      OFFLOAD_REDIS_URL: redis.url,
      OFFLOAD_CLUSTER_SECRET: SECRET,
      OFFLOAD_CLUSTER_HEARTBEAT_MS: '250',
    });
    single = await startTestServer();
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    await single?.close();
    await redis?.close();
  });

  const call = async (
    path: string,
    o: { method?: string; secret?: string | null; body?: string; server?: Offload } = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.secret !== null) headers[SECRET_HEADER] = o.secret ?? SECRET;
    const r = await fetch(`http://127.0.0.1:${(o.server ?? node).port}${INTERNAL_PREFIX}${path}`, {
      method: o.method ?? 'GET',
      headers,
      body: o.body,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('refuses a missing or wrong secret with a typed 401, before reading anything', async () => {
    for (const secret of [null, '', 'wrong', `${SECRET}x`, SECRET.slice(0, -1)]) {
      for (const [method, path] of [
        ['GET', '/node'],
        ['POST', '/sessions'],
        ['GET', '/sessions/abc'],
      ] as const) {
        const r = await call(path, { method, secret, body: method === 'POST' ? '{}' : undefined });
        expect(r.status, `${method} ${path} with ${secret}`).toBe(401);
        expect(r.body).toMatchObject({ error: { code: 'unauthorized' } });
      }
    }
    expect(node.sessions.sessions.size).toBe(0);
  });

  it('refuses malformed, oversized and unknown requests with typed errors', async () => {
    const post = (body: string) => call('/sessions', { method: 'POST', body });
    expect(await post('{not json')).toMatchObject({ status: 400, body: { error: { code: 'bad-json' } } });
    for (const bad of ['[]', '"x"', '{"url": 5}', '{"nope": 1}', `{"url": "${'a'.repeat(3000)}"}`]) {
      expect(await post(bad), bad).toMatchObject({
        status: 400,
        body: { error: { code: 'invalid-message' } },
      });
    }
    const big = JSON.stringify({ url: 'x'.repeat(MAX_INTERNAL_BODY_BYTES) });
    expect(await post(big)).toMatchObject({ status: 413, body: { error: { code: 'too-large' } } });
    expect(await call('/nowhere')).toMatchObject({ status: 400, body: { error: { code: 'bad-request' } } });
    expect(await call('/sessions', { method: 'DELETE' })).toMatchObject({ status: 400 });
    // A page the node's URL policy refuses (loopback) starts nothing.
    expect(await post('{"url": "http://127.0.0.1:1/"}')).toMatchObject({
      status: 403,
      body: { error: { code: 'url-not-allowed' } },
    });
    expect(node.sessions.sessions.size).toBe(0);
    // The node still answers.
    expect((await call('/node')).body).toMatchObject({ id: node.cluster.nodeId, capacity: 4 });
  });

  it('creates a session here and describes it', async () => {
    expect(await call('/sessions/unknown-id')).toEqual({ status: 200, body: { exists: false } });
    const created = await call('/sessions', { method: 'POST', body: '{}' });
    expect(created.status).toBe(201);
    const sessionId = created.body.sessionId as string;
    expect(node.sessions.sessions.has(sessionId)).toBe(true);
    expect(await call(`/sessions/${sessionId}`)).toEqual({
      status: 200,
      body: { exists: true, state: 'running', viewers: 0 },
    });
    // The node's record counts it already (published before the create answered).
    expect((await call('/node')).body).toMatchObject({ inUse: 1 });
    node.sessions.get(sessionId).close('closed');
  });

  it('does not exist on a server without clustering', async () => {
    const r = await call('/node', { server: single });
    expect(r).toMatchObject({ status: 404, body: { error: { code: 'bad-request' } } });
    const health = (await (await fetch(`http://127.0.0.1:${single.port}/healthz`)).json()) as object;
    expect(health).not.toHaveProperty('cluster');
  });
});
