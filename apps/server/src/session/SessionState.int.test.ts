import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

/** Typed session states, the session listing, and joining a session that is closing. */
describe('session states', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  const list = async () =>
    ((await (await fetch(`${server.url}api/sessions`)).json()) as { sessions: Record<string, unknown>[] })
      .sessions;

  it('lists sessions as running, then closing (joining is a typed error), then gone', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    await s.request('session/join', { sessionId });
    expect(await list()).toEqual([
      { id: sessionId, state: 'running', viewers: 1, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
    const described = (await (await fetch(`${server.url}debug/sessions/${sessionId}`)).json()) as {
      state: string;
    };
    expect(described.state).toBe('running');

    const session = server.sessions.get(sessionId);
    session.close('closed', 'closed by test');
    expect(session.state).toBe('closing');
    expect((await list()).map((x) => x.state)).toEqual(['closing']);
    const late = await TestSocket.hello(server.port);
    const join = await late.request('session/join', { sessionId });
    expect(join.ok || join.error.code).toBe('session-closed');

    await session.runtime.close();
    await expect.poll(() => session.state).toBe('closed');
    await expect.poll(list).toEqual([]);
    const gone = await late.request('session/join', { sessionId });
    expect(gone.ok || gone.error.code).toBe('session-not-found');
    s.close();
    late.close();
  });
});
