import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { allProcesses, cmdline } from '../util/procfs.js';
import { DEFAULT_APP_USER, lookupUser } from './appUser.js';
import { ChromiumRuntime } from './ChromiumRuntime.js';

/** A process's command line as one string (Chromium's zygote children rewrite theirs into one). */
const args = (pid: number) => cmdline(pid).join(' ');
const status = (pid: number, field: string) =>
  new RegExp(`^${field}:[ \\t]*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

/**
 * The app browser runs pages nobody here wrote: it must never run as root, and its renderers
 * must be sandboxed (own namespaces, seccomp) — Playwright turns Chromium's sandbox off unless
 * told otherwise, and Chromium refuses a sandbox as root.
 */
describe('app browser sandbox', () => {
  it('runs the browser as an unprivileged account with its sandbox on', async () => {
    const uid = process.getuid!();
    // A root server runs it as the app account; any other server as itself.
    const expected = uid === 0 ? lookupUser(DEFAULT_APP_USER)! : { uid, gid: process.getgid!() };
    expect(expected, `account ${DEFAULT_APP_USER} (scripts/setup.sh creates it)`).toBeDefined();
    const rt = await ChromiumRuntime.start({
      url: 'data:text/html,<p>sandboxed</p>',
      screen: { width: 720, height: 1280, touch: true },
      executablePath: loadConfig(process.env).chromium,
    });
    try {
      const browsers = allProcesses().filter((p) => p.pgid === rt.browserPgid && p.comm.startsWith('chrom'));
      expect(browsers.length).toBeGreaterThan(2);
      for (const p of browsers) {
        // Real, effective, saved and filesystem uid (and gid) are the account's, none root's.
        expect(status(p.pid, 'Uid')!.split(/\s+/).map(Number)).toEqual(Array(4).fill(expected.uid));
        expect(status(p.pid, 'Gid')!.split(/\s+/).map(Number)).toEqual(Array(4).fill(expected.gid));
        expect(status(p.pid, 'Groups')).toBe('');
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
      // Its profile and the display's cookie are the account's; the server's files are not.
      expect(statSync(rt.userDataDir).uid).toBe(expected.uid);
      expect(statSync(rt.xauthority).uid).toBe(expected.uid);
      expect(await rt.page.evaluate('document.body.textContent')).toBe('sandboxed');
    } finally {
      await rt.close();
    }
  });

  // Only a root server switches accounts.
  it.runIf(process.getuid?.() === 0)('refuses to start as root without an unprivileged account', async () => {
    await expect(
      ChromiumRuntime.start({
        url: 'data:text/html,x',
        screen: { width: 720, height: 1280, touch: true },
        executablePath: loadConfig(process.env).chromium,
        user: 'no-such-account',
      }),
    ).rejects.toThrow(/unprivileged account "no-such-account", which does not exist/);
    await expect(
      ChromiumRuntime.start({
        url: 'data:text/html,x',
        screen: { width: 720, height: 1280, touch: true },
        executablePath: loadConfig(process.env).chromium,
        user: 'root',
      }),
    ).rejects.toThrow(/must not run as root/);
  });
});
