import { execFileSync } from 'node:child_process';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { isXServer } from '../util/procfs.js';

/** Child processes of this test process, by command name. */
function children(): string[] {
  const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('session life cycle', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_SESSION_IDLE_TIMEOUT_S: '3' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('starts an app, its X server and its encoder, and closes them all when the last viewer has gone', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const session = server.sessions.get(sessionId);
    // Joined within the (3 s) idle timeout, the session stays up.
    expect((await s.request('session/join', { sessionId })).ok).toBe(true);
    expect(children().filter(isXServer)).toHaveLength(1);
    expect(children()).toContain('python3');
    const sources = await session.videoSources();
    await expect.poll(() => sources[0]!.stats.frames, { timeout: 5000 }).toBeGreaterThan(10);
    expect((await s.request('session/leave')).ok).toBe(true);
    await expect.poll(() => session.closed, { timeout: 10_000 }).toBe(true);
    expect(session.closeReason).toBe('no viewers');
    expect(session.closeCause).toBe('idle');
    await session.runtime.close();
    await expect.poll(() => children().filter((c) => isXServer(c) || c === 'python3')).toEqual([]);
    expect(server.sessions.sessions.size).toBe(0);
    // The client is told when a session it joined ends; this one had left already.
    expect(s.messages.some((m) => m.type === 'session/closed')).toBe(false);
    s.close();
  });

  it('tells joined clients when their session ends', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    await s.request('session/join', { sessionId });
    server.sessions.get(sessionId).close('closed', 'closed by test');
    const note = await s.waitFor((m) => m.type === 'session/closed');
    expect(note).toEqual({ type: 'session/closed', sessionId, reason: 'closed by test', cause: 'closed' });
    const after = await s.request('transport/create', { direction: 'recv' });
    expect(after.ok || after.error.code).toBe('not-joined');
    s.close();
  });
});
