import { TestSocket } from '@offload/testkit/socket';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { signToken } from './tokens.js';

const SECRET = 'integration-test-secret-0123456789abcdef';
const API_KEY = 'integration-test-api-key';

/** Status (and JSON body) of a WebSocket upgrade: 101 when the socket opened. */
function upgrade(port: number, query: string, origin?: string): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${query}`, origin ? { origin } : {});
    ws.on('open', () => {
      ws.close();
      resolve({ status: 101 });
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, code: JSON.parse(body).error?.code }));
    });
    ws.on('error', reject);
  });
}

const token = (claims: { role: 'controller' | 'viewer'; sid?: string; sub?: string }, ttlS = 600) =>
  signToken(SECRET, claims, ttlS);

/** A token signed with the right key, whatever its times say. */
function forged(claims: Record<string, unknown>) {
  return new SignJWT({ iss: 'offload', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
}

const tap = (s: TestSocket, seq: number) => {
  const send = (n: number, action: string, touches: unknown[]) =>
    s.send(JSON.stringify({ type: 'input', event: { type: 'touch', seq: n, ts: 1, action, touches } }));
  send(seq, 'start', [{ id: 1, x: 0.5, y: 0.25 }]);
  send(seq + 1, 'end', []);
};

type JoinData = {
  viewerId: string;
  role: string;
  canControl: boolean;
  controllerId: string | null;
  controllerName?: string;
};

/**
 * Tokens, Origin, roles and hand-over against a real server (real app runtime): what a
 * token allows, that a viewer's input never reaches the app, and that control moves only
 * the ways the server allows.
 */
describe('auth and roles (token mode)', () => {
  let server: Offload;
  let sessionId: string;
  let owner: TestSocket;
  let ownerId: string;

  const count = async () =>
    ((await server.sessions.get(sessionId).runtime.appState()) as { count: number }).count;

  beforeAll(async () => {
    server = await startTestServer({
      OFFLOAD_AUTH_SECRET: SECRET,
      OFFLOAD_API_KEY: API_KEY,
      OFFLOAD_TOKEN_MAX_TTL_S: '3600',
      OFFLOAD_MAX_SESSIONS: '2',
    });
  });

  afterAll(async () => {
    owner?.close();
    await server?.close();
  });

  it('refuses the upgrade without a valid token (401) and from a foreign page (403)', async () => {
    const port = server.port;
    expect(await upgrade(port, '')).toEqual({ status: 401, code: 'unauthorized' });
    expect(await upgrade(port, '?token=garbage')).toEqual({ status: 401, code: 'unauthorized' });
    const now = Math.floor(Date.now() / 1000);
    const expired = await forged({ role: 'controller', iat: now - 120, exp: now - 60 });
    expect(await upgrade(port, `?token=${expired}`)).toEqual({ status: 401, code: 'token-expired' });
    const tooLong = await forged({ role: 'controller', iat: now, exp: now + 7200 });
    expect(await upgrade(port, `?token=${tooLong}`)).toEqual({ status: 401, code: 'unauthorized' });
    const otherKey = await signToken(`${SECRET}-other`, { role: 'controller' }, 60);
    expect(await upgrade(port, `?token=${otherKey}`)).toEqual({ status: 401, code: 'unauthorized' });

    const good = await token({ role: 'controller' });
    expect(await upgrade(port, `?token=${good}`, 'http://evil.example')).toEqual({
      status: 403,
      code: 'not-allowed',
    });
    expect(await upgrade(port, `?token=${good}`, 'null')).toMatchObject({ status: 403 });
    // The server's own pages, and clients that send no Origin (not browsers), get in.
    expect(await upgrade(port, `?token=${good}`, `http://127.0.0.1:${port}`)).toEqual({ status: 101 });
    expect(await upgrade(port, `?token=${good}`)).toEqual({ status: 101 });
  });

  it('lets only a controller token without a session create one, and each token join only its session', async () => {
    const viewerOfX = await TestSocket.hello(server.port, {
      token: await token({ role: 'viewer', sid: 'x' }),
    });
    const r = await viewerOfX.request('session/create');
    expect(r.ok || r.error.code).toBe('not-allowed');
    viewerOfX.close();

    const creatorToken = await token({ role: 'controller', sub: 'Ann' });
    owner = await TestSocket.hello(server.port, { token: creatorToken });
    const badUrl = await owner.request('session/create', { url: 'http://127.0.0.1:1/' });
    expect(badUrl.ok || badUrl.error.code).toBe('url-not-allowed');
    const file = await owner.request('session/create', { url: 'file:///etc/passwd' });
    expect(file.ok || file.error.code).toBe('url-not-allowed');
    // (Creations that failed did not use the token up.)
    sessionId = await owner.createSession();
    // A creator token starts one session only: not a second one, from this connection or another.
    const again = await owner.request('session/create');
    expect(again.ok || again.error.code).toBe('not-allowed');
    const replay = await TestSocket.hello(server.port, { token: creatorToken });
    const again2 = await replay.request('session/create');
    expect(again2.ok || again2.error.code).toBe('not-allowed');
    replay.close();
    expect(server.sessions.sessions.size).toBe(1);
    const join = await owner.request('session/join', { sessionId });
    expect(join.ok).toBe(true);
    const data = (join as { data: JoinData }).data;
    ownerId = data.viewerId;
    // The creator holds control.
    expect(data).toMatchObject({
      role: 'controller',
      canControl: true,
      controllerId: ownerId,
      controllerName: 'Ann',
    });

    // Another creator token did not create this session: it may not join it.
    const creator2 = await TestSocket.hello(server.port, { token: await token({ role: 'controller' }) });
    const j2 = await creator2.request('session/join', { sessionId });
    expect(j2.ok || j2.error.code).toBe('not-allowed');
    creator2.close();
    const wrongSid = await TestSocket.hello(server.port, {
      token: await token({ role: 'controller', sid: 'other' }),
    });
    const j3 = await wrongSid.request('session/join', { sessionId });
    expect(j3.ok || j3.error.code).toBe('not-allowed');
    // A session token cannot start sessions.
    const c3 = await wrongSid.request('session/create');
    expect(c3.ok || c3.error.code).toBe('not-allowed');
    wrongSid.close();
  });

  it("never injects a viewer's input: it gets one not-controller error, and cannot take control", async () => {
    const viewer = await TestSocket.hello(server.port, {
      token: await token({ role: 'viewer', sid: sessionId }),
    });
    const join = await viewer.request('session/join', { sessionId });
    expect((join as { data: JoinData }).data).toMatchObject({
      role: 'viewer',
      canControl: false,
      controllerId: ownerId,
    });
    const before = await count();
    for (let i = 0; i < 50; i++) tap(viewer, 2 * i);
    await viewer.waitFor((m) => m.type === 'error' && m.error.code === 'not-controller');
    // The controller's tap goes through; the 50 viewer taps before it did not.
    tap(owner, 1000);
    await expect.poll(count).toBe(before + 1);
    // Flood replies are rate limited: one error for 100 dropped events.
    expect(viewer.errors().filter((c) => c === 'not-controller')).toHaveLength(1);
    const viewerInfo = server.sessions
      .get(sessionId)
      .viewers.get((join as { data: JoinData }).data.viewerId)!;
    expect(viewerInfo.input.counts).toMatchObject({ webSocket: 0, dropped: 100 });
    for (const type of ['control/take', 'control/request']) {
      const r = await viewer.request(type);
      expect(r.ok || r.error.code, type).toBe('not-allowed');
    }
    const grant = await viewer.request('control/grant', {
      viewerId: (join as { data: JoinData }).data.viewerId,
    });
    expect(grant.ok || grant.error.code).toBe('not-controller');
    viewer.close();
  });

  it('hands control over on request, tells everyone, and then injects only the new controller', async () => {
    const viewer = await TestSocket.hello(server.port, {
      token: await token({ role: 'viewer', sid: sessionId }),
    });
    await viewer.request('session/join', { sessionId });
    const bo = await TestSocket.hello(server.port, {
      token: await token({ role: 'controller', sid: sessionId, sub: 'Bo' }),
    });
    const join = (await bo.request('session/join', { sessionId })) as { ok: true; data: JoinData };
    const boId = join.data.viewerId;
    expect(join.data).toMatchObject({ role: 'viewer', canControl: true, controllerId: ownerId });
    const before = await count();
    tap(bo, 1);
    await bo.waitFor((m) => m.type === 'error' && m.error.code === 'not-controller');

    expect((await bo.request('control/request')).ok).toBe(true);
    await owner.waitFor((m) => m.type === 'control/requested' && m.viewerId === boId && m.name === 'Bo');
    // Only the controller may grant, and not to a viewer-token participant.
    const selfGrant = await bo.request('control/grant', { viewerId: boId });
    expect(selfGrant.ok || selfGrant.error.code).toBe('not-controller');
    expect((await owner.request('control/grant', { viewerId: boId })).ok).toBe(true);
    for (const s of [owner, viewer, bo]) {
      await s.waitFor(
        (m) => m.type === 'control/changed' && m.controllerId === boId && m.controllerName === 'Bo',
      );
    }
    tap(bo, 10);
    await expect.poll(count).toBe(before + 1);
    owner.messages.length = 0;
    tap(owner, 2000);
    await owner.waitFor((m) => m.type === 'error' && m.error.code === 'not-controller');
    expect(await count()).toBe(before + 1);

    // The controller leaves: nobody holds control until an eligible participant takes it.
    bo.close();
    await owner.waitFor((m) => m.type === 'control/changed' && m.controllerId === null);
    await viewer.waitFor((m) => m.type === 'control/changed' && m.controllerId === null);
    expect((await owner.request('control/take')).ok).toBe(true);
    await viewer.waitFor((m) => m.type === 'control/changed' && m.controllerId === ownerId);
    viewer.close();
  });

  it('answers /api/auth-check so a player can tell an expired token from a down server', async () => {
    const check = (q: string) => fetch(`http://127.0.0.1:${server.port}/api/auth-check${q}`);
    const ok = await check(`?token=${await token({ role: 'viewer', sid: sessionId })}`);
    expect([ok.status, await ok.json()]).toEqual([
      200,
      expect.objectContaining({ role: 'viewer', sid: sessionId }),
    ]);
    const now = Math.floor(Date.now() / 1000);
    const expired = await check(
      `?token=${await forged({ role: 'viewer', sid: 's', iat: now - 100, exp: now - 1 })}`,
    );
    expect([expired.status, ((await expired.json()) as { error: { code: string } }).error.code]).toEqual([
      401,
      'token-expired',
    ]);
    expect((await check('')).status).toBe(401);
  });

  it('creates sessions for a backend holding the API key: POST /api/sessions', async () => {
    const post = (auth: string | undefined, body: unknown) =>
      fetch(`http://127.0.0.1:${server.port}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify(body),
      });
    expect((await post(undefined, {})).status).toBe(401);
    expect((await post('Bearer wrong-key-wrong-key', {})).status).toBe(401);
    const ssrf = await post(`Bearer ${API_KEY}`, { url: 'http://169.254.169.254/latest/meta-data/' });
    expect([ssrf.status, ((await ssrf.json()) as { error: { code: string } }).error.code]).toEqual([
      400,
      'url-not-allowed',
    ]);
    const tooLong = await post(`Bearer ${API_KEY}`, { ttl: '2h' });
    expect(tooLong.status).toBe(400);

    const res = await post(`Bearer ${API_KEY}`, { ttl: '10m', name: 'Host' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, string>;
    expect(body.controllerUrl).toBe(
      `http://127.0.0.1:${server.port}/?session=${body.sessionId}&token=${body.controllerToken}`,
    );
    expect(body.viewerUrl).toContain(`token=${body.viewerToken}`);
    const v = await TestSocket.hello(server.port, { token: body.viewerToken });
    const vj = (await v.request('session/join', { sessionId: body.sessionId! })) as {
      ok: true;
      data: JoinData;
    };
    // Nobody with control has joined yet; the viewer cannot take it.
    expect(vj.data).toMatchObject({ role: 'viewer', canControl: false, controllerId: null });
    const c = await TestSocket.hello(server.port, { token: body.controllerToken });
    const cj = (await c.request('session/join', { sessionId: body.sessionId! })) as {
      ok: true;
      data: JoinData;
    };
    expect(cj.data).toMatchObject({
      role: 'controller',
      controllerId: cj.data.viewerId,
      controllerName: 'Host',
    });
    await v.waitFor((m) => m.type === 'control/changed' && m.controllerId === cj.data.viewerId);
    // The session's tokens cannot open any other session.
    const other = await c.request('session/join', { sessionId });
    expect(other.ok || other.error.code).not.toBe(true);
    v.close();
    c.close();
  });
});
