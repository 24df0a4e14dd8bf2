import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';

describe('worker pool', () => {
  let server: Offload;

  beforeAll(async () => {
    // Announcing another loopback address than the one it listens on (as the harness does).
    server = await startTestServer({ OFFLOAD_RTC_ANNOUNCED_ADDRESS: '127.0.0.2' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('replaces a worker that dies; its sessions rebuild on a live worker and their clients resume', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    const join = await s.request('session/join', { sessionId });
    const { viewerId, resumeToken } = (join.ok ? join.data : {}) as { viewerId: string; resumeToken: string };
    const session = server.sessions.get(sessionId);
    const dead = server.pool.workers[0]!.worker;

    process.kill(dead.pid, 'SIGKILL');

    const note = await s.waitFor((m) => m.type === 'session/restarted');
    expect(note).toMatchObject({ sessionId, reason: 'media worker stopped' });
    await expect.poll(() => server.pool.workers[0]!.worker.pid, { timeout: 10_000 }).not.toBe(dead.pid);
    expect(server.pool.workers[0]!.worker.closed).toBe(false);
    // The client takes its place again: same session, same viewer id, new media.
    const resumed = await s.request('session/resume', { sessionId, resumeToken });
    expect(resumed).toMatchObject({ ok: true, data: { sessionId, viewerId, fresh: true } });
    expect(session.state).toBe('running');
    expect(session.worker.worker.pid).toBe(server.pool.workers[0]!.worker.pid);
    // The replacement serves it on the same WebRtcServer port, and the video is produced again.
    const t = await s.request('transport/create', { direction: 'recv' });
    expect(t.ok && (t.data as { iceCandidates: { port: number }[] }).iceCandidates[0]!.port).toBe(
      server.config.rtc.port,
    );
    const consumed = await s.request('media/consume', { rtpCapabilities: session.router.rtpCapabilities });
    expect(consumed.ok).toBe(true);
    const sources = await session.videoSources();
    await expect.poll(() => sources[0]!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(5);
    s.close();
  });

  it('does not replace a worker that exits once the server is stopping (a Ctrl-C reaches both)', async () => {
    const other = await startTestServer({ OFFLOAD_WORKERS: '1' });
    try {
      // A session, so that closing takes a while (its app and encoder exit) as it does for real.
      const s = await TestSocket.hello(other.port);
      await s.createSession();
      const replaced: number[] = [];
      other.pool.observer.on('worker-replaced', (i) => replaced.push(i));
      const closing = other.close();
      const dead = other.pool.workers[0]!.worker;
      process.kill(dead.pid, 'SIGINT');
      await closing;
      await new Promise((r) => setTimeout(r, 1500));
      // No replacement was even started (it used to be, and closed at once, with an error logged).
      expect(other.pool.counts.replacementsStarted).toBe(0);
      expect(replaced).toEqual([]);
      expect(other.pool.workers[0]!.worker).toBe(dead);
      s.close();
    } finally {
      await other.close();
    }
  });
});
