/**
 * What lending the app the device's camera and microphone costs (figures, not assertions): one
 * session, one controlling viewer whose browser has Chromium's fake camera and microphone
 * (640×480, a moving picture and a beep), the demo app; CPU by part over BENCH_SECONDS with the
 * demo's camera screen closed and then open (the device's tracks produced, decoded on the
 * server, drawn into the app page), alternately over BENCH_ROUNDS rounds in the same session.
 * Parts: the decoders (gst-launch: VP8 → JPEG, Opus → PCM), the app (X server + Chromium, which
 * now also draws the pictures), capture + encode (the video sender), the SFU, the server
 * (signaling, and handing the pictures to the page over CDP), the viewer browser (capturing and
 * encoding its camera: a device's own cost).
 * Writes bench-results/camera-cost.json.   env: BENCH_ROUNDS=2, BENCH_SECONDS=8, BENCH_PORT=8302
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  appPointOnPage,
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
import { cmdlineOf, processes, sampleGroups, sessionGroups, tree } from './procStats.js';

const PORT = Number(process.env.BENCH_PORT ?? 8302);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const base = `http://127.0.0.1:${PORT}`;

type Cost = Record<string, { cores: number; memMB: number }>;
const runs: Record<'closed' | 'open', Cost[]> = { closed: [], open: [] };

const server = await startServer(PORT, { OFFLOAD_WARM_RUNTIMES: '0', OFFLOAD_DEBUG: '1' });
const viewer = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: [...VIEWER_CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});
try {
  const context = await viewer.newContext({
    viewport: { width: 800, height: 1400 },
    permissions: VIEWER_PERMISSIONS,
  });
  const sessionId = await createSession(PORT);
  const page = await context.newPage();
  await page.goto(`${base}/?session=${sessionId}`);
  await waitForStreaming(page);
  const take = page.getByTestId('control-take');
  if (await take.isVisible()) await take.click();
  const state = async () =>
    (await (await fetch(`${base}/debug/sessions/${sessionId}/app-state`)).json()) as {
      camera: { status: string };
      layout: { cameraButton: { x: number; y: number } };
    };
  const { layout } = await state();
  const button = await appPointOnPage(page, layout.cameraButton.x, layout.cameraButton.y);
  const waitStatus = async (want: string) => {
    const deadline = Date.now() + 30_000;
    while ((await state()).camera.status !== want) {
      if (Date.now() > deadline) throw new Error(`the demo's camera did not turn ${want}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of ['closed', 'open'] as const) {
      const isOpen = (await state()).camera.status === 'on';
      if ((mode === 'open') !== isOpen) {
        await page.mouse.click(button.x, button.y);
        await waitStatus(mode === 'open' ? 'on' : 'off');
      }
      await page.waitForTimeout(3000);
      const all = processes();
      const st = tree(server.pid!, all);
      const inServer = new Set(st.map((p) => p.pid));
      const { signaling, ...parts } = sessionGroups(server.pid!, all);
      const cost = await sampleGroups(
        {
          decoders: st
            .filter((p) => p.comm.startsWith('gst-launch') && /jpegenc|opusdec/.test(cmdlineOf(p.pid)))
            .map((p) => p.pid),
          ...parts,
          server: signaling,
          viewer: all.filter((p) => p.comm.startsWith('chrom') && !inServer.has(p.pid)).map((p) => p.pid),
        },
        SECONDS * 1000,
      );
      runs[mode].push(cost);
      console.log(
        `round ${r + 1}, camera screen ${mode}: ${Object.entries(cost)
          .map(([k, v]) => `${k} ${v.cores}`)
          .join(', ')}`,
      );
    }
  }
} finally {
  await viewer.close();
  await stopServer(server);
}

const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
const parts = Object.keys(runs.closed[0] ?? {});
const cores = Object.fromEntries(
  (['closed', 'open'] as const).map((m) => [
    m,
    Object.fromEntries(parts.map((k) => [k, mean(runs[m].map((x) => x[k]!.cores))])),
  ]),
);
const serverSide = (m: 'closed' | 'open') =>
  mean(runs[m].map((x) => Object.entries(x).reduce((a, [k, v]) => a + (k === 'viewer' ? 0 : v.cores), 0)));
const result = {
  at: new Date().toISOString(),
  rounds: ROUNDS,
  seconds: SECONDS,
  /** Mean cores per part, camera screen closed and open. */
  cores,
  /** All the server-side parts (everything but the viewer), closed and open. */
  serverSide: { closed: serverSide('closed'), open: serverSide('open') },
  runs,
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/camera-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const m of ['closed', 'open'] as const) console.log(`camera screen ${m}: ${JSON.stringify(cores[m])}`);
console.log(`server side: closed ${result.serverSide.closed}, open ${result.serverSide.open} cores`);
