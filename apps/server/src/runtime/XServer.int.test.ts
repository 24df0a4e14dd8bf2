import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { procInfo } from '../util/procfs.js';
import { ChromiumRuntime } from './ChromiumRuntime.js';
import { dummyModeline, XServer } from './XServer.js';

/** The current mode's rate as xrandr reports it (the one marked `*`), in Hz. */
function currentRate(x: XServer): number {
  const out = execFileSync('xrandr', ['-d', x.display], {
    encoding: 'utf8',
    env: { ...process.env, XAUTHORITY: x.authFile },
  });
  const m = /\s([\d.]+)\*/.exec(out);
  if (!m) throw new Error(`no current mode in:\n${out}`);
  return Number(m[1]);
}

const xDirs = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith('offload-x-'));

/** The p10 of the intervals between 120 animation frames of a page (ms). */
async function frameInterval(rt: ChromiumRuntime): Promise<number> {
  const t = (await rt.page.evaluate(
    `new Promise((done) => { const t = []; const f = (x) => { t.push(x); if (t.length < 121) requestAnimationFrame(f); else done(t); }; requestAnimationFrame(f); })`,
  )) as number[];
  const d = t.slice(1).map((x, i) => x - t[i]!);
  d.sort((a, b) => a - b);
  return d[12]!;
}

describe('app screen refresh rate', () => {
  it('makes dummy-driver modes of exactly the asked rate, and refuses ones the driver cannot show', () => {
    for (const [w, h, hz] of [
      [736, 1296, 120],
      [1296, 736, 90],
      [1936, 1096, 120],
      [736, 1296, 30],
    ] as const) {
      const m = dummyModeline(w, h, hz);
      const f = m.line.split(' ').slice(1).map(Number);
      // clock (MHz) / (htotal × vtotal) = frames per second
      expect((f[0]! * 1e6) / (f[4]! * f[8]!)).toBeCloseTo(hz, 2);
      expect(f[1]).toBe(w);
      expect(f[5]).toBe(h);
    }
    expect(() => dummyModeline(3856, 2176, 120)).toThrow(/pixel clock.*OFFLOAD_APP_REFRESH_HZ/);
  });

  it('runs Xorg with the dummy driver at 120 Hz, Xvfb at 60, each behind its own cookie, and leaves nothing behind', async () => {
    const before = xDirs();
    const fast = await XServer.start({ width: 720, height: 1280, refreshHz: 120 });
    const plain = await XServer.start({ width: 720, height: 1280 });
    try {
      expect(fast.kind).toBe('xorg');
      expect(procInfo(fast.pid!)?.comm).toBe('Xorg');
      expect(currentRate(fast)).toBeCloseTo(120, 1);
      // Without the display's cookie, no client gets in.
      for (const x of [fast, plain])
        expect(() =>
          execFileSync('xrandr', ['-d', x.display], {
            stdio: 'pipe',
            env: { ...process.env, XAUTHORITY: '/dev/null' },
          }),
        ).toThrow(/Can't open display/);
      expect(plain.kind).toBe('xvfb');
      expect(procInfo(plain.pid!)?.comm).toBe('Xvfb');
      expect(xDirs().length).toBe(before.length + 2);
    } finally {
      await fast.stop();
      await plain.stop();
    }
    expect(existsSync(`/proc/${fast.pid}`)).toBe(false);
    await expect.poll(() => xDirs().length).toBe(before.length);
    await expect(XServer.start({ width: 720, height: 1280, refreshHz: 0 })).rejects.toThrow(RangeError);
  });

  it('paces the app browser: it draws every ~8 ms on a 120 Hz screen, every ~17 ms on a 60 Hz one', async () => {
    const page = 'data:text/html,<body style="margin:0;background:%23fff">';
    for (const [hz, check] of [
      [120, (p10: number) => expect(p10).toBeLessThan(12)],
      [60, (p10: number) => expect(p10).toBeGreaterThan(14)],
    ] as const) {
      const rt = await ChromiumRuntime.start({
        url: page,
        screen: { width: 720, height: 1280, touch: false },
        executablePath: loadConfig(process.env).chromium,
        refreshHz: hz,
      });
      try {
        // A busy machine makes frames later, never sooner: the fastest tenth shows the pace.
        check(await frameInterval(rt));
      } finally {
        await rt.close();
      }
    }
  });
});
