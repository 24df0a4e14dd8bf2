/**
 * Offload side by side with a VNC stack, in one run (figures, not assertions):
 * the same demo app, in the same kind of app browser (Xvfb + Chromium --kiosk, 720x1280),
 * served once by x11vnc + websockify + noVNC (Debian packages) and once by Offload; the same
 * viewer Chromium taps the demo's counter TAPS times per round, the pointer already in place,
 * and measures click → pixels changed with the same in-page method (./vnc/clickToPixels.ts).
 * Rounds alternate VNC, Offload, VNC, Offload, …; each round starts its stack afresh and stops
 * it after, so only one app runs at a time. Reports medians and p95 of both, their ratios,
 * Offload's own monitor on the same taps, and the CPU each stack spends while tapped.
 * Writes bench-results/vs-vnc.json.
 *   env: BENCH_ROUNDS=3, BENCH_TAPS=10 (per round and stack), BENCH_PORT=8294,
 *        BENCH_VNC_ARGS (x11vnc tuning), BENCH_OFFLOAD_ENV (extra server env, "K=V K=V")
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LatencySample, SEGMENTS, summarize } from '@offload/latency';
import { rootLogger } from '@offload/server/logger';
import {
  CHROMIUM_PATH,
  createSession,
  latencySamples,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { chromium, type Page } from 'playwright-core';
import { processes, tree, usage } from './procStats.js';
import { installProbe, pressAndWatch } from './vnc/clickToPixels.js';
import { VNC_ARGS, VncStack } from './vnc/VncStack.js';

const PORT = Number(process.env.BENCH_PORT ?? 8294);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TAPS = Number(process.env.BENCH_TAPS ?? 10);
const WIDTH = 720;
const HEIGHT = 1280;
const base = `http://127.0.0.1:${PORT}`;
const offloadEnv = Object.fromEntries(
  (process.env.BENCH_OFFLOAD_ENV ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string]),
);

/** The demo's counter button (app px): pressed at its middle, its colour read away from its text. */
const COUNTER = { x: 40, y: 218, width: 640, height: 200 };
const PRESS_AT = { x: COUNTER.x + COUNTER.width / 2, y: COUNTER.y + COUNTER.height / 2 };
const POINTS = [70, 110, 610, 650].flatMap((x) => [
  { x, y: COUNTER.y + 30 },
  { x, y: COUNTER.y + COUNTER.height - 30 },
]);
/** Each tap turns the button's hue by 137°: every point moves by far more than this. */
const THRESHOLD = 60;

type Stack = 'vnc' | 'offload';

interface Round {
  stack: Stack;
  clickToPixelsMs: (number | null)[];
  /** Offload only: the monitor's input-to-photon of the same presses, in order. */
  monitorMs?: number[];
  monitorFrameGapMs?: number[];
  monitorSegments?: LatencySample['segments'][];
  /** CPU (cores) of the stack's processes, and of the viewer browser, over the taps. */
  stackCores: number;
  viewerCores: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function cpuOf(pids: number[]): number {
  return pids.reduce((a, p) => a + (usage(p)?.cpuS ?? 0), 0);
}

/** Taps TAPS times on the screen element of `page`; CPU of `stackPids` and `viewerPids` over it. */
async function tapRound(page: Page, selector: string, stackPids: () => number[], viewerPids: number[]) {
  await installProbe(page, { selector, points: POINTS, threshold: THRESHOLD });
  const box = (await page.locator(selector).boundingBox())!;
  const intrinsic = (await page
    .locator(selector)
    .evaluate((el) =>
      el instanceof HTMLVideoElement
        ? [el.videoWidth, el.videoHeight]
        : [(el as HTMLCanvasElement).width, (el as HTMLCanvasElement).height],
    )) as [number, number];
  // Page px per source px (the Offload client may scale the video to fit; noVNC does not).
  const sx = box.width / intrinsic[0];
  const sy = box.height / intrinsic[1];
  const x = box.x + PRESS_AT.x * sx;
  const y = box.y + PRESS_AT.y * sy;
  const pids = stackPids();
  const t0 = performance.now();
  const s0 = cpuOf(pids);
  const v0 = cpuOf(viewerPids);
  const out: (number | null)[] = [];
  for (let i = 0; i < TAPS; i++) {
    out.push(await pressAndWatch(page, x, y));
    await page.waitForTimeout(250);
  }
  const dt = (performance.now() - t0) / 1000;
  return {
    clickToPixelsMs: out,
    stackCores: Math.round(((cpuOf(pids) - s0) / dt) * 1000) / 1000,
    viewerCores: Math.round(((cpuOf(viewerPids) - v0) / dt) * 1000) / 1000,
  };
}

// The VNC stack's app runtime logs in this process: only what matters.
rootLogger.level = process.env.LOG_LEVEL ?? 'warn';

const server = await startServer(PORT, {
  // One app at a time: no warm runtime animating in the background during the VNC rounds,
  // and a session closes soon after its viewer leaves (5 s: time enough for the viewer to join).
  OFFLOAD_WARM_RUNTIMES: '0',
  OFFLOAD_SESSION_IDLE_TIMEOUT_S: '5',
  OFFLOAD_RESUME_GRACE_S: '1',
  ...offloadEnv,
});
const serverPids = () => tree(server.pid!).map((p) => p.pid);
const before = new Set(tree(process.pid).map((p) => p.pid));
const viewer = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
const all = processes();
const viewerPids = tree(process.pid, all)
  .map((p) => p.pid)
  .filter((p) => !before.has(p) && !serverPids().includes(p));
const rounds: Round[] = [];

async function vncRound(r: number): Promise<Round> {
  const stack = await VncStack.start({
    appUrl: `${base}/demo/`,
    width: WIDTH,
    height: HEIGHT,
    rfbPort: PORT + 100 + r,
    wsPort: PORT + 200 + r,
  });
  const context = await viewer.newContext({ viewport: { width: 800, height: 1400 } });
  try {
    const page = await context.newPage();
    await page.goto(stack.clientUrl);
    await page.locator('#screen canvas').waitFor();
    await page.waitForFunction(() => /Connected/i.test(document.getElementById('status')?.textContent ?? ''));
    await page.waitForTimeout(1500);
    return { stack: 'vnc', ...(await tapRound(page, '#screen canvas', () => stack.pids(), viewerPids)) };
  } finally {
    await context.close();
    await stack.close();
  }
}

async function offloadRound(): Promise<Round> {
  const sessionId = await createSession(PORT);
  const context = await viewer.newContext({
    viewport: { width: 800, height: 1400 },
    permissions: VIEWER_PERMISSIONS,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/?session=${sessionId}`);
    await waitForStreaming(page);
    await page.waitForTimeout(1500);
    const r = await tapRound(page, '[data-testid="stream"]', serverPids, viewerPids);
    await page.waitForTimeout(1000);
    const presses = (await latencySamples(page)).filter(
      (s) => s.kind === 'touch:start' || s.kind === 'pointer:down',
    );
    return {
      stack: 'offload',
      ...r,
      monitorMs: presses.map((s) => round1(s.total)),
      monitorFrameGapMs: presses.map((s) => round1(s.frameGap)),
      monitorSegments: presses.map((s) => s.segments),
    };
  } finally {
    await context.close();
    // Wait for the session (and its app) to be gone before the next round.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const h = (await (await fetch(`${base}/healthz`)).json()) as { sessions?: number };
      if (!h.sessions) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const stack of ['vnc', 'offload'] as const) {
      const round = stack === 'vnc' ? await vncRound(r) : await offloadRound();
      rounds.push(round);
      const ok = round.clickToPixelsMs.filter((x): x is number => x !== null);
      console.log(
        `round ${r + 1} ${stack.padEnd(7)}: click → pixels p50 ${round1(summarize(ok).p50)} ms ` +
          `(${ok.length}/${TAPS} seen)${round.monitorMs ? `, monitor p50 ${round1(summarize(round.monitorMs).p50)} ms` : ''}; ` +
          `stack ${round.stackCores} cores, viewer ${round.viewerCores} cores`,
      );
    }
  }
} finally {
  await viewer.close();
  await stopServer(server);
}

const of = (stack: Stack) => rounds.filter((r) => r.stack === stack);
const seen = (stack: Stack) =>
  of(stack)
    .flatMap((r) => r.clickToPixelsMs)
    .filter((x): x is number => x !== null);
const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;
const vnc = summarize(seen('vnc'));
const off = summarize(seen('offload'));
// The monitor against the external method, tap by tap (where both saw the tap).
const pairs = of('offload').flatMap((r) =>
  r.clickToPixelsMs.flatMap((ext, i) =>
    ext !== null && r.monitorMs?.[i] !== undefined ? [{ external: ext, monitor: r.monitorMs[i]! }] : [],
  ),
);
const diffs = summarize(pairs.map((p) => p.monitor - p.external));
const segments = of('offload').flatMap((r) => r.monitorSegments ?? []);
const result = {
  at: new Date().toISOString(),
  rounds: ROUNDS,
  tapsPerRound: TAPS,
  screen: `${WIDTH}x${HEIGHT}`,
  vncArgs: VNC_ARGS.join(' '),
  offloadEnv,
  clickToPixelsMs: {
    vnc: {
      ...vnc,
      missed: of('vnc')
        .flatMap((r) => r.clickToPixelsMs)
        .filter((x) => x === null).length,
    },
    offload: {
      ...off,
      missed: of('offload')
        .flatMap((r) => r.clickToPixelsMs)
        .filter((x) => x === null).length,
    },
  },
  ratioOffloadToVnc: {
    p50: Math.round((off.p50 / vnc.p50) * 100) / 100,
    p95: Math.round((off.p95 / vnc.p95) * 100) / 100,
  },
  monitor: {
    totalMs: summarize(of('offload').flatMap((r) => r.monitorMs ?? [])),
    minusExternalMs: diffs,
    pairs: pairs.length,
    segmentsMs: Object.fromEntries(SEGMENTS.map((k) => [k, summarize(segments.map((x) => x[k]))])),
  },
  cores: {
    vncStack: mean(of('vnc').map((r) => r.stackCores)),
    offloadServer: mean(of('offload').map((r) => r.stackCores)),
    viewerOnVnc: mean(of('vnc').map((r) => r.viewerCores)),
    viewerOnOffload: mean(of('offload').map((r) => r.viewerCores)),
  },
  rawRounds: rounds,
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/vs-vnc.json'), `${JSON.stringify(result, null, 2)}\n`);
const line = (name: string, s: { p50: number; p95: number }) =>
  `${name.padEnd(10)} p50 ${round1(s.p50)} ms   p95 ${round1(s.p95)} ms`;
console.log(line('VNC', vnc));
console.log(line('Offload', off));
console.log(`ratio Offload/VNC: p50 ${result.ratioOffloadToVnc.p50}, p95 ${result.ratioOffloadToVnc.p95}`);
console.log(
  `Offload monitor: p50 ${round1(result.monitor.totalMs.p50)} ms, p95 ${round1(result.monitor.totalMs.p95)} ms; ` +
    `monitor − external per tap: p50 ${round1(diffs.p50)} ms (${pairs.length} taps)`,
);
for (const k of SEGMENTS) {
  const x = result.monitor.segmentsMs[k]!;
  console.log(`  ${k.padEnd(14)} p50 ${round1(x.p50)}  p95 ${round1(x.p95)}`);
}
console.log(JSON.stringify(result.cores));
