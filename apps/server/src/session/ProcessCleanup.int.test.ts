import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readlinkSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestSocket } from '@offload/testkit/socket';
import { afterAll, describe, expect, it } from 'vitest';
import type { Offload } from '../Offload.js';
import type { ChromiumRuntime } from '../runtime/ChromiumRuntime.js';
import { trackedDirs, trackedGroups } from '../runtime/processReaper.js';
import { startTestServer } from '../test/startTestServer.js';
import { cmdline, descendants, isXServer, type ProcInfo, stillAlive } from '../util/procfs.js';
import type { Session } from './Session.js';

/** The processes a session or the server starts: app, X server, sound card, encoders, SFU worker. */
const isHelper = (p: ProcInfo) =>
  isXServer(p.comm) ||
  p.comm.startsWith('chrom') ||
  p.comm === 'python3' ||
  p.comm === 'pulseaudio' ||
  p.comm === 'gst-launch-1.0' ||
  p.comm === 'pactl' ||
  p.comm.startsWith('mediasoup');

const helpers = (root = process.pid) => descendants(root).filter(isHelper);
/**
 * The app runtimes' temp folders among these processes: each browser's profile
 * (--user-data-dir) and the folder its SingletonSocket link points into, and each X server's
 * folder (its display cookie, Xorg's config); all must go when the runtime goes.
 */
const tempDirs = (ps: ProcInfo[]) => {
  const out = new Set<string>();
  for (const p of ps) {
    if (isXServer(p.comm)) {
      const a = cmdline(p.pid);
      const auth = a[a.indexOf('-auth') + 1];
      if (a.includes('-auth') && auth?.includes('offload-x-')) out.add(path.dirname(auth));
      continue;
    }
    const dir = cmdline(p.pid)
      .find((a) => a.startsWith('--user-data-dir='))
      ?.slice('--user-data-dir='.length);
    if (!dir?.includes('offload-app-')) continue;
    out.add(dir);
    try {
      out.add(path.dirname(readlinkSync(path.join(dir, 'SingletonSocket'))));
    } catch {}
  }
  return out;
};
const existing = (dirs: Iterable<string>) => [...dirs].filter((d) => existsSync(d));

const countByName = (ps: ProcInfo[]) => {
  const out: Record<string, number> = {};
  for (const p of ps) out[p.comm] = (out[p.comm] ?? 0) + 1;
  return out;
};

/**
 * No Chromium, X server, GStreamer sender or mediasoup worker outlives what it served: after many
 * sessions closed every way a session can close, after server shutdown, after helpers were
 * SIGKILLed, and after the server itself was SIGKILLed. Every helper ever seen is remembered
 * (pid + start time), so one re-parented to init cannot hide from the count.
 */
describe('process cleanup', () => {
  const seen = new Map<string, ProcInfo>();
  const dirsSeen = new Set<string>();
  const remember = (root = process.pid) => {
    const ps = helpers(root);
    for (const p of ps) seen.set(`${p.pid}:${p.startTime}`, p);
    for (const d of tempDirs(ps)) dirsSeen.add(d);
  };
  /**
   * After a helper was killed: whatever the session does about it (closes, or restarts the
   * helper), let it act, remember what it started, then close it and wait for its app.
   */
  const settleAndClose = async (session: Session) => {
    await new Promise((r) => setTimeout(r, 2000));
    remember();
    session.close('closed', 'closed by test');
    await session.runtime.close();
  };
  const survivors = () => [...seen.values()].filter(stillAlive);
  let server: Offload | undefined;

  afterAll(async () => {
    await server?.close();
  });

  it('leaves no helper process behind after 15 sessions closed in five different ways', async () => {
    const baseline = helpers();
    const closedWays: string[] = [];
    for (let round = 0; round < 3; round++) {
      // With a warm runtime: the pool's spare app must go on shutdown too.
      server = await startTestServer({
        OFFLOAD_SESSION_IDLE_TIMEOUT_S: '1',
        OFFLOAD_MAX_SESSIONS: '3',
        OFFLOAD_WARM_RUNTIMES: '1',
      });
      const port = server.port;
      const s = await TestSocket.hello(port);

      // 1. Created, never joined: closed by the idle timer.
      let id = await s.createSession();
      let session = server.sessions.get(id);
      remember();
      await expect.poll(() => session.closed, { timeout: 10_000 }).toBe(true);
      await session.runtime.close();
      closedWays.push(session.closeReason);

      // 2. Joined, then left explicitly: idle timer again.
      id = await s.createSession();
      session = server.sessions.get(id);
      expect((await s.request('session/join', { sessionId: id })).ok).toBe(true);
      remember();
      expect((await s.request('session/leave')).ok).toBe(true);
      await expect.poll(() => session.closed, { timeout: 10_000 }).toBe(true);
      await session.runtime.close();
      closedWays.push(session.closeReason);

      // 3. The app's browser is SIGKILLed while a viewer watches. Whatever the session does
      //    about it (close, or restart its app), closing it must leave nothing behind.
      id = await s.createSession();
      session = server.sessions.get(id);
      expect((await s.request('session/join', { sessionId: id })).ok).toBe(true);
      remember();
      const pgid = (session.runtime as ChromiumRuntime).browserPgid;
      expect(pgid).toBeGreaterThan(1);
      process.kill(pgid!, 'SIGKILL');
      await settleAndClose(session);
      closedWays.push('chromium killed');
      expect((await s.request('session/leave')).ok).toBe(true);

      // 4. The GStreamer sender is SIGKILLed.
      id = await s.createSession();
      session = server.sessions.get(id);
      expect((await s.request('session/join', { sessionId: id })).ok).toBe(true);
      remember();
      const [source] = await session.videoSources();
      process.kill(source!.pid!, 'SIGKILL');
      await settleAndClose(session);
      closedWays.push('gstreamer killed');
      expect((await s.request('session/leave')).ok).toBe(true);

      // 5. Still running, joined, when the server shuts down.
      id = await s.createSession();
      expect((await s.request('session/join', { sessionId: id })).ok).toBe(true);
      remember();
      await server.close();
      closedWays.push('server shutdown');
      server = undefined;
      s.close();
    }
    expect(closedWays).toHaveLength(15);
    expect(seen.size).toBeGreaterThanOrEqual(15 * 3);
    await expect.poll(() => countByName(helpers()), { timeout: 15_000 }).toEqual(countByName(baseline));
    await expect.poll(() => survivors().map((p) => `${p.comm}(${p.pid})`), { timeout: 15_000 }).toEqual([]);
    expect(trackedGroups().size).toBe(0);
    // And no app browser left its profile or singleton-socket folder in /tmp.
    expect(dirsSeen.size).toBeGreaterThanOrEqual(15);
    expect(existing(dirsSeen)).toEqual([]);
    expect(trackedDirs().size).toBe(0);
  }, 180_000);

  it('leaves no helper process behind when the server process is SIGKILLed', async () => {
    const port = 20_000 + (process.pid % 10_000);
    const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: {
        ...process.env,
        OFFLOAD_PORT: String(port),
        OFFLOAD_RTC_PORT: String(port + 1),
        OFFLOAD_WORKERS: '1',
        OFFLOAD_CODECS: 'h264,vp8',
        OFFLOAD_WARM_RUNTIMES: '1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await expect
        .poll(
          () =>
            fetch(`http://127.0.0.1:${port}/healthz`).then(
              (r) => r.ok,
              () => false,
            ),
          {
            timeout: 30_000,
            interval: 200,
          },
        )
        .toBe(true);
      const s = await TestSocket.hello(port);
      const sessionId = await s.createSession();
      await s.request('session/join', { sessionId });
      // Two encoders (a VP8-only client makes the second start), the app, its X server, the worker.
      const vp8 = { codecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] };
      await s.request('transport/create', { direction: 'recv' });
      await s.request('media/consume', { rtpCapabilities: vp8 });
      // And a warm app runtime, ready.
      await expect
        .poll(
          async () =>
            ((await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { warmRuntimes: number })
              .warmRuntimes,
          {
            timeout: 30_000,
          },
        )
        .toBe(1);
      // Three video senders: the session's two encoders and the warm runtime's prepared one
      // (started as the runtime becomes ready).
      await expect.poll(() => countByName(helpers(child.pid)).python3, { timeout: 20_000 }).toBe(3);
      const before = helpers(child.pid);
      expect(before.filter((p) => isXServer(p.comm))).toHaveLength(2);
      expect(before.some((p) => p.comm.startsWith('chrom'))).toBe(true);
      expect(before.some((p) => p.comm.startsWith('mediasoup'))).toBe(true);
      // Each runtime's sound card and the watcher that puts it to sleep, and the session's
      // recorder of it.
      expect(before.filter((p) => p.comm === 'pulseaudio')).toHaveLength(2);
      expect(before.filter((p) => p.comm === 'pactl')).toHaveLength(2);
      expect(before.filter((p) => p.comm === 'gst-launch-1.0')).toHaveLength(1);
      const dirs = tempDirs(before);
      // Two runtimes (the session's app and the warm one): each browser with a profile and a
      // socket folder, each X server with its cookie's folder.
      expect(dirs.size).toBe(6);
      // A root server's senders run, as the app's uid, from a copy of their files in a folder
      // the server keeps while it runs: that folder goes with it too.
      const staged = new Set(
        before
          .filter((p) => p.comm === 'python3')
          .map((p) => path.dirname(cmdline(p.pid)[1] ?? ''))
          .filter((d) => d.includes('offload-media-')),
      );
      if (process.getuid?.() === 0) expect(staged.size).toBe(1);
      // A browser whose DevTools pipe closes starts shutting down and unlinks its profile's
      // SingletonSocket before the reaper's SIGKILL lands (seen in CI): the reaper must not
      // depend on that link to find the socket folder. Unlink it here, as such a browser would.
      for (const d of dirs)
        if (d.includes('offload-app-')) rmSync(path.join(d, 'SingletonSocket'), { force: true });
      child.kill('SIGKILL');
      await exited;
      s.close();
      await expect
        .poll(() => before.filter(stillAlive).map((p) => `${p.comm}(${p.pid})`), { timeout: 15_000 })
        .toEqual([]);
      // The reaper removed their temp folders too.
      await expect.poll(() => existing(dirs), { timeout: 15_000 }).toEqual([]);
      await expect.poll(() => existing(staged), { timeout: 15_000 }).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
