import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

type Joined = { sessionId: string; viewerId: string; resumeToken: string; fresh?: boolean };

async function join(s: TestSocket, sessionId: string): Promise<Joined> {
  const r = await s.request('session/join', { sessionId });
  if (!r.ok) throw new Error(r.error.message);
  return r.data as Joined;
}

const tap = (s: TestSocket, seq: number) => {
  s.send(
    JSON.stringify({
      type: 'input',
      event: { type: 'touch', seq, ts: 1, action: 'start', touches: [{ id: 1, x: 0.5, y: 0.25 }] },
    }),
  );
  s.send(
    JSON.stringify({
      type: 'input',
      event: { type: 'touch', seq: seq + 1, ts: 1, action: 'end', touches: [] },
    }),
  );
};

/**
 * Faults for real, against a real server: a client's socket drops, the app's browser is
 * killed, the server restarts in place. (A killed mediasoup worker: WorkerPool.test.)
 */
describe('recovery', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_RESUME_GRACE_S: '5' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('keeps the place of a client whose socket dropped: it resumes as the same viewer and restarts ICE', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const t = await s.request('transport/create', { direction: 'recv' });
    const { transportId, iceParameters } = (t.ok ? t.data : {}) as {
      transportId: string;
      iceParameters: { usernameFragment: string };
    };
    s.ws.terminate();
    const session = server.sessions.get(sessionId);
    await expect.poll(() => session.viewers.get(j.viewerId)?.closed).toBe(false);

    const s2 = await TestSocket.hello(server.port);
    const r = await s2.request('session/resume', { sessionId, resumeToken: j.resumeToken });
    expect(r).toMatchObject({ ok: true, data: { sessionId, viewerId: j.viewerId, fresh: false } });
    expect(session.viewers.size).toBe(1);
    // Its transport is still there; new ICE credentials let the client reach it from its new network.
    const ice = await s2.request('transport/restart-ice', { transportId });
    expect(ice.ok).toBe(true);
    const fresh = (ice.ok ? ice.data : {}) as { iceParameters: { usernameFragment: string } };
    expect(fresh.iceParameters.usernameFragment).not.toBe(iceParameters.usernameFragment);
    // Its input is injected again.
    tap(s2, 1);
    await expect.poll(async () => ((await session.runtime.appState()) as { count: number }).count).toBe(1);
    s2.close();
  });

  it('lets a dropped viewer go after the grace period; resuming then starts it afresh', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const keeper = await TestSocket.hello(server.port); // keeps the session from idling out
    await join(keeper, sessionId);
    s.ws.terminate();
    const session = server.sessions.get(sessionId);
    await expect.poll(() => session.viewers.has(j.viewerId), { timeout: 10_000 }).toBe(false);
    const s2 = await TestSocket.hello(server.port);
    const r = await s2.request('session/resume', { sessionId, resumeToken: j.resumeToken });
    expect(r).toMatchObject({ ok: true, data: { viewerId: j.viewerId, fresh: true } });
    s2.close();
    keeper.close();
  });

  it('takes each resume token once: replayed after its successor was used, it is refused', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const resume = async (token: string) => {
      const c = await TestSocket.hello(server.port);
      const r = await c.request('session/resume', { sessionId, resumeToken: token });
      c.ws.terminate();
      return r;
    };
    s.ws.terminate();
    // The owner resumes (T0 → T1); its answer lost, it may try T0 again (→ T1'), as T1' is unused.
    const r1 = await resume(j.resumeToken);
    expect(r1.ok).toBe(true);
    const r1b = await resume(j.resumeToken);
    expect(r1b.ok).toBe(true);
    const t1 = (r1b.ok ? r1b.data : {}) as Joined;
    expect(t1.resumeToken).not.toBe(j.resumeToken);
    // It resumes with the newest (T1' → T2): from now on T0 is dead, so is the lost T1.
    const r2 = await resume(t1.resumeToken);
    expect(r2.ok).toBe(true);
    for (const old of [j.resumeToken, (r1.ok ? r1.data : {}) as Joined].map((x) =>
      typeof x === 'string' ? x : x.resumeToken,
    )) {
      const replay = await resume(old);
      expect(replay.ok || replay.error).toMatchObject({
        code: 'not-allowed',
        message: expect.stringMatching(/already used/),
      });
    }
    // The owner's place is untouched and its newest token still works.
    const r3 = await resume(((r2.ok ? r2.data : {}) as Joined).resumeToken);
    expect(r3).toMatchObject({ ok: true, data: { viewerId: j.viewerId } });
    server.sessions.get(sessionId).close('closed', 'test done');
  });

  it('refuses forged resume tokens and tokens for another session, with a typed error', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const other = await TestSocket.hello(server.port);
    const [body, mac] = j.resumeToken.split('.');
    const forged = Buffer.from(JSON.stringify({ sid: sessionId, vid: 'someone-else', exp: 9e9 })).toString(
      'base64url',
    );
    for (const resumeToken of [`${forged}.${mac}`, 'nonsense', `${body}.AAAA`]) {
      const r = await other.request('session/resume', { sessionId, resumeToken });
      expect(r.ok || r.error.code).toBe('not-allowed');
    }
    const wrong = await other.request('session/resume', {
      sessionId: 'another-session',
      resumeToken: j.resumeToken,
    });
    expect(wrong.ok || wrong.error.code).toBe('not-allowed');
    // The rightful owner is untouched.
    expect(server.sessions.get(sessionId).viewers.get(j.viewerId)?.closed).toBe(false);
    other.close();
    s.close();
  });

  it('restarts a crashed app inside the same session; its clients resume', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const session = server.sessions.get(sessionId);
    tap(s, 1);
    await expect.poll(async () => ((await session.runtime.appState()) as { count: number }).count).toBe(1);
    const old = session.runtime;
    expect(old.pid).toBeGreaterThan(0);

    process.kill(old.pid!, 'SIGKILL');

    const note = await s.waitFor((m) => m.type === 'session/restarted');
    expect(note).toMatchObject({ sessionId, reason: expect.stringContaining('app stopped') });
    // Answered once the new app runs: a Chromium start, slow on a loaded machine.
    const r = await s.request('session/resume', { sessionId, resumeToken: j.resumeToken }, 60_000);
    expect(r).toMatchObject({ ok: true, data: { viewerId: j.viewerId, fresh: true } });
    expect(session.runtime).not.toBe(old);
    expect(session.runtime.pid).not.toBe(old.pid);
    // A fresh app (its state starts over), streamed and taking input again.
    expect(await session.runtime.appState()).toMatchObject({ count: 0 });
    const sources = await session.videoSources();
    await expect.poll(() => sources[0]!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(5);
    tap(s, 3);
    await expect.poll(async () => ((await session.runtime.appState()) as { count: number }).count).toBe(1);
    s.close();
  }, 120_000);
});

describe('server restart in place', () => {
  it('tells clients it is restarting; a new server on the same port re-creates their session under its id', async () => {
    const env = { OFFLOAD_RTC_PORT: String(46000 + (process.pid % 1000)) };
    const first = await startTestServer(env);
    const port = first.port;
    const s = await TestSocket.hello(port);
    const sessionId = await s.createSession();
    const j = await join(s, sessionId);
    const closed = new Promise<number>((resolve) => s.ws.once('close', (code) => resolve(code)));

    await first.close();

    expect(await closed).toBe(1012); // "service restart": reconnect and resume
    expect(s.messages.some((m) => m.type === 'session/closed')).toBe(false);
    const second = await startTestServer({ ...env, OFFLOAD_PORT: String(port) });
    try {
      const s2 = await TestSocket.hello(port);
      const r = await s2.request('session/resume', { sessionId, resumeToken: j.resumeToken }, 60_000);
      expect(r).toMatchObject({ ok: true, data: { sessionId, viewerId: j.viewerId, fresh: true } });
      const session = second.sessions.get(sessionId);
      const sources = await session.videoSources();
      await expect.poll(() => sources[0]!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(5);
      s2.close();
    } finally {
      await second.close();
    }
  }, 120_000);
});
