import { readFileSync } from 'node:fs';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import { startTestServer } from '../test/startTestServer.js';
import { cmdline } from '../util/procfs.js';
import type { ChromiumRuntime } from './ChromiumRuntime.js';

/** The warm pool with real app runtimes: handed out, refilled within the host's limit, replaced when one dies. */
describe('warm pool', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_WARM_RUNTIMES: '1', OFFLOAD_MAX_SESSIONS: '2' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('hands a warm app to a new session, refills only while the host has room, and replaces a warm app that dies', async () => {
    const warm = server.warm;
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    const spare = warm.idle[0]!;

    const s = await TestSocket.hello(server.port);
    const first = server.sessions.get(await s.createSession());
    expect(first.runtime).toBe(spare);
    expect(warm.counts.taken).toBe(1);
    // The warm app streams and takes input like any other.
    expect((await s.request('session/join', { sessionId: first.id })).ok).toBe(true);
    const tap = (seq: number, action: string, touches: unknown[]) =>
      s.send(JSON.stringify({ type: 'input', event: { type: 'touch', seq, ts: 1, action, touches } }));
    tap(1, 'start', [{ id: 1, x: 0.5, y: 0.25 }]);
    tap(2, 'end', []);
    await expect
      .poll(async () => ((await first.runtime.appState()) as { count: number }).count, { timeout: 10_000 })
      .toBe(1);
    const [source] = await first.videoSources();
    await expect.poll(() => source!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(0);

    // One session + one warm runtime = the limit of 2: the pool refills to that and no further.
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    const other = await TestSocket.hello(server.port);
    const second = server.sessions.get(await other.createSession());
    expect(warm.counts.taken).toBe(2);
    await new Promise((r) => setTimeout(r, 1000));
    expect(warm.size).toBe(0);

    // A session ends: room again, the pool refills.
    second.close('closed', 'test');
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);

    // The warm app's browser dies: the pool notices and starts another.
    const doomed = warm.idle[0] as ChromiumRuntime;
    process.kill(doomed.browserPgid!, 'SIGKILL');
    await expect.poll(() => warm.counts.died, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    expect(warm.idle[0]).not.toBe(doomed);
    s.close();
    other.close();
  }, 120_000);
});

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A warm runtime's video sender, started ahead so a new session's first frame does not wait for it. */
describe('prepared video senders', () => {
  let server: Offload;

  beforeAll(async () => {
    server = await startTestServer({ OFFLOAD_WARM_RUNTIMES: '1', OFFLOAD_MAX_SESSIONS: '2' });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('waits idle beside each warm runtime, is adopted by the session that takes it, and ends with a runtime that dies', async () => {
    const warm = server.warm;
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    const spare = warm.idle[0]!;
    let pid: number | undefined;
    await expect
      .poll(async () => (pid = await server.preparedSenders.pidFor(spare)), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(cmdline(pid!).join(' ')).toContain('--wait-connect');
    // Waiting costs no CPU: nothing is captured or encoded.
    const c0 = cpuSeconds(pid!);
    await new Promise((r) => setTimeout(r, 1500));
    expect(cpuSeconds(pid!) - c0).toBeLessThan(0.05);

    // The session that gets the runtime sends through that very process, and streams.
    const s = await TestSocket.hello(server.port);
    const session = server.sessions.get(await s.createSession());
    expect(session.runtime).toBe(spare);
    const [source] = await session.videoSources();
    expect(source!.pid).toBe(pid);
    expect((await s.request('session/join', { sessionId: session.id })).ok).toBe(true);
    await expect.poll(() => source!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(0);

    // The next warm runtime gets its own; when that runtime dies, its sender is ended.
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    const doomed = warm.idle[0] as ChromiumRuntime;
    let pid2: number | undefined;
    await expect
      .poll(async () => (pid2 = await server.preparedSenders.pidFor(doomed)), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(pid2).not.toBe(pid);
    process.kill(doomed.browserPgid!, 'SIGKILL');
    await expect.poll(() => alive(pid2!), { timeout: 10_000 }).toBe(false);

    // A runtime closed without dying (no event) takes its waiting sender along all the same:
    // the sender checks its display every 2 s and ends once it is gone.
    await expect.poll(() => warm.ready, { timeout: 30_000 }).toBe(1);
    const closing = warm.idle[0]!;
    let pid3: number | undefined;
    await expect
      .poll(async () => (pid3 = await server.preparedSenders.pidFor(closing)), { timeout: 20_000 })
      .toBeGreaterThan(0);
    await closing.close();
    await expect.poll(() => alive(pid3!), { timeout: 10_000 }).toBe(false);
    s.close();
  }, 120_000);
});
