import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Offload } from '../Offload.js';
import { joinedSession, startTestServer } from '../test/startTestServer.js';
import { allProcesses } from '../util/procfs.js';
import { cgroupsUnavailable } from './Cgroup.js';
import { ChromiumRuntime } from './ChromiumRuntime.js';

const chromium = loadConfig(process.env).chromium;
const start = (
  limits: { cpus: number; memoryMB: number; pids: number },
  url = 'data:text/html,<p>limited</p>',
) =>
  ChromiumRuntime.start({
    url,
    screen: { width: 720, height: 1280, touch: true },
    executablePath: chromium,
    limits,
  });

/**
 * One session cannot take the host: its X server, app browser and video sender run in a cgroup
 * of their own with a CPU quota, a memory limit and a process limit. (Our machines run the
 * test suite as root, which may make cgroups; a server that cannot logs that it runs without.)
 */
describe.runIf(cgroupsUnavailable() === undefined)('session cgroup', () => {
  it('holds every process of the app runtime, and its CPU quota holds a busy page back', async () => {
    const rt = await start({ cpus: 0.5, memoryMB: 2048, pids: 2048 });
    const cg = rt.cgroup!;
    try {
      expect(cg).toBeDefined();
      const inGroup = new Set(cg.pids());
      const browser = allProcesses().filter((p) => p.pgid === rt.browserPgid);
      expect(browser.length).toBeGreaterThan(2);
      for (const p of browser) expect(inGroup.has(p.pid), `browser process ${p.pid} ${p.comm}`).toBe(true);
      expect(inGroup.has(rt.xserver.pid!)).toBe(true);
      // The limits as the kernel has them.
      const dirs = cg.dirs.join(' ');
      const read = (f: string) => {
        const d = cg.dirs.find((x) => existsSync(`${x}/${f}`));
        return d ? readFileSync(`${d}/${f}`, 'utf8').trim() : undefined;
      };
      expect(read('cpu.max') ?? read('cpu.cfs_quota_us'), dirs).toMatch(/^10000( 20000)?$/);
      expect(Number(read('memory.max') ?? read('memory.limit_in_bytes'))).toBe(2048 * 1024 * 1024);
      expect(read('pids.max')).toBe('2048');
      // A page that spins for a second runs into the quota (half a core).
      const before = cg.throttled();
      await rt.page.evaluate('{ const end = Date.now() + 1000; while (Date.now() < end); }');
      expect(cg.throttled()).toBeGreaterThan(before);
    } finally {
      await rt.close();
    }
    // Once its processes are gone, so is the group.
    await expect.poll(() => cg.dirs.filter((d) => existsSync(d)), { timeout: 10_000 }).toEqual([]);
  });

  it('ends a page that takes more memory than the session may have, and nothing else', async () => {
    const rt = await start({ cpus: 0, memoryMB: 700, pids: 0 });
    try {
      const died = new Promise<string>((r) => rt.events.once('died', r));
      // 2 GB of touched memory, 50 MB at a time.
      rt.page
        .evaluate(
          '{ window.hog = []; for (let i = 0; i < 40; i++) window.hog.push(new Uint8Array(50e6).fill(1)); }',
        )
        .catch(() => {});
      expect(await died).toMatch(/crashed|closed/);
      // The kernel ended the page's renderer: the X server lives on (the session recovers).
      expect(existsSync(`/proc/${rt.xserver.pid}`)).toBe(true);
    } finally {
      await rt.close();
    }
  });

  describe('in a session', () => {
    let server: Offload;
    beforeAll(async () => {
      server = await startTestServer({ OFFLOAD_WARM_RUNTIMES: '0' });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('puts the video sender in the session group too', async () => {
      const { socket: s, session } = await joinedSession(server);
      const cg = session.runtime.cgroup!;
      expect(cg).toBeDefined();
      const senders = allProcesses().filter(
        (p) =>
          p.comm === 'python3' &&
          readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(session.runtime.display),
      );
      expect(senders.length).toBeGreaterThan(0);
      for (const p of senders) expect(cg.pids()).toContain(p.pid);
      s.close();
    });
  });
});
