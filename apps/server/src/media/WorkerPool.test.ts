import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { TestSocket } from '../test/TestSocket.js';

describe('worker pool', () => {
  let server: Offload;

  beforeAll(async () => {
    // Announcing another loopback address than the one it listens on (as the harness does).
    server = await startTestServer({ OFFLOAD_RTC_ANNOUNCED_ADDRESS: '127.0.0.2' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('replaces a worker that dies; its sessions end and their viewers are told', async () => {
    const s = await TestSocket.hello(server.port);
    const sessionId = await s.createSession();
    await s.request('session/join', { sessionId });
    const dead = server.pool.workers[0]!.worker;

    process.kill(dead.pid, 'SIGKILL');

    const note = await s.waitFor((m) => m.type === 'session/closed');
    expect(note).toMatchObject({ sessionId, reason: 'media worker stopped' });
    await expect.poll(() => server.pool.workers[0]!.worker.pid, { timeout: 10_000 }).not.toBe(dead.pid);
    expect(server.pool.workers[0]!.worker.closed).toBe(false);
    // The replacement serves new sessions on the same WebRtcServer port.
    const again = await s.request('session/create');
    expect(again.ok).toBe(true);
    const id2 = again.ok ? (again.data as { sessionId: string }).sessionId : '';
    await s.request('session/join', { sessionId: id2 });
    const t = await s.request('transport/create', { direction: 'recv' });
    expect(t.ok && (t.data as { iceCandidates: { port: number }[] }).iceCandidates[0]!.port).toBe(
      server.config.rtc.port,
    );
    s.close();
  });
});
