/**
 * What capture and encoding cost, side by side (figures, not assertions): one session's
 * server-side CPU, split into app (X server + Chromium), capture + encode (the GStreamer sender),
 * SFU and signaling, while one viewer watches and nobody taps, for:
 *   - the demo app animating all the time, and the same app still (`?still`);
 *   - capture when the app draws (OFFLOAD_CAPTURE=damage, the default) or on a fixed tick;
 *   - at most 30 (the default) or 60 frames a second;
 *   - the app's screen at 120 Hz (the default) or 60 Hz (OFFLOAD_APP_REFRESH_HZ).
 * Settings run interleaved over ROUNDS rounds, each on a server of its own.
 * Writes bench-results/capture-cost.json.   env: BENCH_ROUNDS=2, BENCH_SECONDS=8, BENCH_PORT=8296
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHROMIUM_PATH,
  createSession,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { chromium } from 'playwright-core';
import { sampleGroups, sessionGroups } from './procStats.js';

const PORT = Number(process.env.BENCH_PORT ?? 8296);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

const HZ60 = { OFFLOAD_APP_REFRESH_HZ: '60' };
const CONFIGS: { name: string; still: boolean; env: Record<string, string> }[] = [
  { name: 'animating, 120 Hz screen, damage, 30 fps', still: false, env: {} },
  { name: 'animating, 60 Hz screen, damage, 30 fps', still: false, env: HZ60 },
  { name: 'animating, 60 Hz screen, tick, 30 fps', still: false, env: { ...HZ60, OFFLOAD_CAPTURE: 'tick' } },
  { name: 'animating, 60 Hz screen, damage, 60 fps', still: false, env: { ...HZ60, OFFLOAD_FPS: '60' } },
  { name: 'still, 120 Hz screen, damage, 30 fps', still: true, env: {} },
  { name: 'still, 60 Hz screen, damage, 30 fps', still: true, env: HZ60 },
  { name: 'still, 60 Hz screen, tick, 30 fps', still: true, env: { ...HZ60, OFFLOAD_CAPTURE: 'tick' } },
];

type Cost = Record<string, { cores: number; memMB: number }>;
const runs: Record<string, Cost[]> = Object.fromEntries(CONFIGS.map((c) => [c.name, []]));

const viewer = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of CONFIGS) {
      const server = await startServer(PORT, {
        OFFLOAD_WARM_RUNTIMES: '0',
        OFFLOAD_APP_URL: `http://127.0.0.1:${PORT}/demo/${c.still ? '?still' : ''}`,
        ...c.env,
      });
      const context = await viewer.newContext({ permissions: VIEWER_PERMISSIONS });
      try {
        const sessionId = await createSession(PORT);
        const page = await context.newPage();
        await page.goto(`http://127.0.0.1:${PORT}/?session=${sessionId}`);
        await waitForStreaming(page);
        await page.waitForTimeout(3000);
        const cost = await sampleGroups(sessionGroups(server.pid!), SECONDS * 1000);
        runs[c.name]!.push(cost);
        console.log(
          `round ${r + 1} ${c.name.padEnd(26)} ${Object.entries(cost)
            .map(([k, v]) => `${k} ${v.cores}`)
            .join(', ')}`,
        );
      } finally {
        await context.close();
        await stopServer(server);
      }
    }
  }
} finally {
  await viewer.close();
}

const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
const result = {
  at: new Date().toISOString(),
  rounds: ROUNDS,
  seconds: SECONDS,
  /** Mean cores per part and in all (app + capture/encode + SFU + signaling), per setting. */
  cores: Object.fromEntries(
    CONFIGS.map((c) => {
      const rs = runs[c.name]!;
      const parts = Object.fromEntries(
        Object.keys(rs[0] ?? {}).map((k) => [k, mean(rs.map((x) => x[k]!.cores))]),
      );
      return [
        c.name,
        { ...parts, session: mean(rs.map((x) => Object.values(x).reduce((a, v) => a + v.cores, 0))) },
      ];
    }),
  ),
  runs,
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/capture-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const [name, c] of Object.entries(result.cores)) console.log(`${name.padEnd(26)} ${JSON.stringify(c)}`);
