import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Offload } from '../Offload.js';
import { joinedSession, startTestServer } from '../test/startTestServer.js';
import { allProcesses, cmdline, isXServer } from '../util/procfs.js';
import { APP_UIDS } from './appUser.js';
import { ChromiumRuntime } from './ChromiumRuntime.js';

/** A process's command line as one string (Chromium's zygote children rewrite theirs into one). */
const args = (pid: number) => cmdline(pid).join(' ');
const status = (pid: number, field: string) =>
  new RegExp(`^${field}:[ \\t]*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
/** Real, effective, saved and filesystem uids of a process. */
const uidsOf = (pid: number) => status(pid, 'Uid')!.split(/\s+/).map(Number);
const root = process.getuid?.() === 0;
const start = (user?: string) =>
  ChromiumRuntime.start({
    url: 'data:text/html,<p>sandboxed</p>',
    screen: { width: 720, height: 1280, touch: true },
    executablePath: loadConfig(process.env).chromium,
    ...(user ? { user } : {}),
  });

/**
 * The app browser runs pages nobody here wrote: it must never run as root, its renderers
 * must be sandboxed (own namespaces, seccomp) — Playwright turns Chromium's sandbox off unless
 * told otherwise, and Chromium refuses a sandbox as root — and, on a root server, no session's
 * browser may read another's profile or display cookie.
 */
describe('app browser sandbox', () => {
  it('runs each browser as an unprivileged uid of its own, with its sandbox on', async () => {
    const a = await start();
    const b = await start();
    try {
      const uids = new Set<number>();
      for (const rt of [a, b]) {
        const browsers = allProcesses().filter(
          (p) => p.pgid === rt.browserPgid && p.comm.startsWith('chrom'),
        );
        expect(browsers.length).toBeGreaterThan(2);
        // A root server: a uid from the app range, never root; otherwise the server's own.
        const uid = root ? rt.user!.uid : process.getuid!();
        if (root) expect(uid).toBeGreaterThanOrEqual(APP_UIDS.first);
        uids.add(uid);
        for (const p of browsers) {
          // Real, effective, saved and filesystem uid (and gid) are that uid, and no groups.
          expect(status(p.pid, 'Uid')!.split(/\s+/).map(Number)).toEqual(Array(4).fill(uid));
          if (root) {
            expect(status(p.pid, 'Gid')!.split(/\s+/).map(Number)).toEqual(Array(4).fill(uid));
            expect(status(p.pid, 'Groups')).toBe('');
          }
          expect(args(p.pid)).not.toContain('--no-sandbox');
        }
        // Renderers: under seccomp-bpf (mode 2) and in a user namespace of their own.
        const renderers = browsers.filter((p) => args(p.pid).includes('--type=renderer'));
        expect(renderers.length).toBeGreaterThan(0);
        const main = browsers.find((p) => !args(p.pid).includes('--type='))!;
        for (const r of renderers) {
          expect(status(r.pid, 'Seccomp')).toBe('2');
          expect(readlinkSync(`/proc/${r.pid}/ns/user`)).not.toBe(readlinkSync(`/proc/${main.pid}/ns/user`));
        }
        // Its profile and its display's cookie are its own.
        expect(statSync(rt.userDataDir).uid).toBe(uid);
        expect(statSync(rt.xauthority).uid).toBe(uid);
        // Its X server runs as that account too: the app talks to no process of root's.
        expect(uidsOf(rt.xserver.pid!)).toEqual(Array(4).fill(uid));
        expect(await rt.page.evaluate('document.body.textContent')).toBe('sandboxed');
      }
      if (root) {
        // Two sessions, two uids: one's browser cannot read the other's cookie or profile.
        expect(uids.size).toBe(2);
        const asA = (cmd: string[]) =>
          execFileSync(
            'setpriv',
            [`--reuid=${a.user!.uid}`, `--regid=${a.user!.gid}`, '--clear-groups', ...cmd],
            {
              stdio: 'pipe',
            },
          );
        expect(() => asA(['cat', a.xauthority])).not.toThrow();
        expect(() => asA(['cat', b.xauthority])).toThrow(/Permission denied/);
        expect(() => asA(['ls', b.userDataDir])).toThrow(/Permission denied/);
        expect(() => asA(['cat', path.join(b.userDataDir, 'Default', 'Preferences')])).toThrow(
          /Permission denied/,
        );
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  // Only a root server switches accounts.
  it.runIf(root)('refuses a named account that does not exist, or is root', async () => {
    await expect(start('no-such-account')).rejects.toThrow(/"no-such-account" is no account/);
    await expect(start('root')).rejects.toThrow(/must not run as root/);
  });

  describe('in a session', () => {
    let server: Offload;
    beforeAll(async () => {
      server = await startTestServer({ OFFLOAD_WARM_RUNTIMES: '0' });
    });
    afterAll(async () => {
      await server?.close();
    });

    it("runs the video sender as the app browser's account, and it streams", async () => {
      const { socket: s, session, sources } = await joinedSession(server);
      const [source] = sources;
      const uid = root ? session.runtime.user!.uid : process.getuid!();
      if (root) expect(uid).toBeGreaterThanOrEqual(APP_UIDS.first);
      // The sender (python3, given the session's display) and the X server: that uid, not root.
      const senders = allProcesses().filter(
        (p) => p.comm === 'python3' && cmdline(p.pid).includes(session.runtime.display),
      );
      expect(senders.map((p) => p.pid)).toContain(source!.pid);
      for (const p of senders) expect(uidsOf(p.pid)).toEqual(Array(4).fill(uid));
      const x = allProcesses().find(
        (p) => isXServer(p.comm) && args(p.pid).includes(session.runtime.xauthority),
      )!;
      expect(uidsOf(x.pid)).toEqual(Array(4).fill(uid));
      // It captures and encodes the app's screen as that account.
      await expect.poll(() => source!.stats.frames, { timeout: 10_000 }).toBeGreaterThan(0);
      s.close();
    });
  });
});
