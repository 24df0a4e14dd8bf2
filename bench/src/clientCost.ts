/**
 * What playing costs the viewer's browser on a slow device, the default player against the
 * low-power one (?lowpower=1), side by side (figures, not assertions).
 *
 * The viewer Chromium's CPU is throttled as on a cheap phone (CDP
 * Emulation.setCPUThrottlingRate, BENCH_THROTTLE×; it slows the page's main thread), playing
 * the demo app (720x1280, animating) at the server's default frame rate. Each run is a fresh
 * browser on the same session; the variants alternate over BENCH_ROUNDS rounds. Per run:
 *  - the JavaScript the page loaded to play (each script's bytes, gzipped);
 *  - over BENCH_IDLE_S seconds of playing with no input, then over BENCH_TAPS taps: how busy
 *    the page's (throttled) main thread was (CDP Performance TaskDuration ÷ wall time), and
 *    the cores of the rest of the viewer browser (decode, compositor, GPU and browser
 *    processes). Chromium throttles by interrupting the main thread and *spinning* in it
 *    (ThreadCPUThrottler), so that thread's process CPU measures the throttler, not the page:
 *    it is left out, and its busy time is taken from the page's own task accounting instead;
 *  - click → pixels over the taps on the demo's counter (the vs-vnc probe).
 * With BENCH_BASELINE_DIR (another build's apps/client/dist, e.g. of an earlier commit), a
 * first variant "baseline" plays the same session through that build, served from a static
 * server of its own (?server= points it at this server), so the player as it was and as it is
 * are measured side by side in one run.
 * Writes bench-results/client-cost.json.
 *   env: BENCH_ROUNDS=3, BENCH_TAPS=12, BENCH_IDLE_S=10, BENCH_THROTTLE=4, BENCH_PORT=8296,
 *        BENCH_VARIANTS, BENCH_BASELINE_DIR
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { summarize } from '@offload/latency';
import {
  CHROMIUM_PATH,
  createSession,
  DEMO_SCREEN,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { chromium } from 'playwright-core';
import { cpuOf, isRenderer, processes, threadCpuS, tree } from './procStats.js';
import { serveFiles } from './staticFiles.js';
import { COUNTER_PROBE, installProbe, pressAndWatch } from './vnc/clickToPixels.js';

const PORT = Number(process.env.BENCH_PORT ?? 8296);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TAPS = Number(process.env.BENCH_TAPS ?? 12);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
const THROTTLE = Number(process.env.BENCH_THROTTLE ?? 4);
const base = `http://127.0.0.1:${PORT}`;

/**
 * The player variants, by name and URL query: BENCH_VARIANTS="name:query,…" (the first is the
 * baseline), e.g. "default:,lowPower:&lowpower=1,noMonitor:&latency=0".
 */
const BASELINE_DIR = process.env.BENCH_BASELINE_DIR;
const BASELINE_PORT = PORT + 1;
const VARIANTS: { name: string; query: string; origin: string }[] = [
  ...(BASELINE_DIR
    ? [{ name: 'baseline', query: `&server=127.0.0.1:${PORT}`, origin: `http://127.0.0.1:${BASELINE_PORT}` }]
    : []),
  ...(process.env.BENCH_VARIANTS ?? 'default:,lowPower:&lowpower=1').split(',').map((v) => {
    const [name, query = ''] = v.split(/:(.*)/s);
    return { name: name!, query, origin: base };
  }),
];

const { pressAt: PRESS_AT, points: POINTS, threshold: THRESHOLD } = COUNTER_PROBE;

/** Where the viewer's time went over a stretch: see the header. */
interface Cost {
  /** The page's main thread: busy fraction of wall time (throttled). */
  mainBusy: number;
  /** Every other thread of the viewer browser, in cores. */
  otherCores: number;
  /** mainBusy + otherCores: cores the device is kept busy. */
  total: number;
  /** The processes' raw CPU, throttler's spin included (for reference). */
  rawCores: number;
}

interface Run {
  variant: string;
  scripts: { url: string; bytes: number; gzipBytes: number }[];
  idle: Cost;
  taps: Cost;
  clickToPixelsMs: (number | null)[];
  videoWidth: number;
}

/** A reading to subtract from a later one: CPU of the viewer, of its renderers' main threads, and the page's task time. */
async function reading(
  pids: number[],
  cdp: { send(m: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }> },
) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return {
    t: performance.now(),
    all: cpuOf(pids),
    main: pids.filter(isRenderer).reduce((a, p) => a + threadCpuS(p, p), 0),
    task: metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0,
  };
}

function cost(a: Awaited<ReturnType<typeof reading>>, b: Awaited<ReturnType<typeof reading>>): Cost {
  const dt = (b.t - a.t) / 1000;
  const mainBusy = (b.task - a.task) / dt;
  const otherCores = (b.all - a.all - (b.main - a.main)) / dt;
  return {
    mainBusy: round3(mainBusy),
    otherCores: round3(otherCores),
    total: round3(mainBusy + otherCores),
    rawCores: round3((b.all - a.all) / dt),
  };
}
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round1 = (x: number) => Math.round(x * 10) / 10;

async function measure(
  sessionId: string,
  variant: (typeof VARIANTS)[number],
  serverPids: Set<number>,
): Promise<Run> {
  const before = new Set(tree(process.pid).map((p) => p.pid));
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
  try {
    const page = await (await browser.newContext({ permissions: VIEWER_PERMISSIONS })).newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    await cdp.send('Performance.enable');
    const scripts: Run['scripts'] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() !== 'script') return;
      void r.body().then(
        (b) =>
          scripts.push({ url: new URL(r.url()).pathname, bytes: b.length, gzipBytes: gzipSync(b).length }),
        () => {},
      );
    });
    await page.goto(`${variant.origin}/?session=${sessionId}${variant.query}`);
    await waitForStreaming(page, 60_000);
    await page.waitForTimeout(2000);
    const viewerPids = tree(process.pid, processes())
      .map((p) => p.pid)
      .filter((p) => !before.has(p) && !serverPids.has(p));

    // Playing, nobody touching it.
    let r0 = await reading(viewerPids, cdp);
    await page.waitForTimeout(IDLE_S * 1000);
    const idle = cost(r0, await reading(viewerPids, cdp));
    const videoWidth = (await page
      .locator('[data-testid="video"]')
      .evaluate((v) => (v as HTMLVideoElement).videoWidth)) as number;

    // Taps, each timed from the press to the pixels changing in what the page shows.
    const selector = '[data-testid="video"]';
    await installProbe(page, { selector, points: POINTS, threshold: THRESHOLD, appWidth: DEMO_SCREEN.width });
    const box = (await page.getByTestId('stream').boundingBox())!;
    const scale = box.width / DEMO_SCREEN.width;
    r0 = await reading(viewerPids, cdp);
    const clickToPixelsMs: (number | null)[] = [];
    for (let i = 0; i < TAPS; i++) {
      clickToPixelsMs.push(
        await pressAndWatch(page, box.x + PRESS_AT.x * scale, box.y + PRESS_AT.y * scale, 4000),
      );
      await page.waitForTimeout(300);
    }
    const taps = cost(r0, await reading(viewerPids, cdp));
    // Leave properly, so the next viewer gets control at once (no suspended controller).
    await page.evaluate('window.__offload.client.leave()');
    return {
      variant: variant.name,
      scripts,
      idle,
      taps,
      clickToPixelsMs,
      videoWidth,
    };
  } finally {
    await browser.close();
  }
}

const server = await startServer(PORT, {
  OFFLOAD_SESSION_IDLE_TIMEOUT_S: '600',
  OFFLOAD_WARM_RUNTIMES: '0',
  // The baseline build's page is another origin: it may open the socket.
  OFFLOAD_ALLOWED_ORIGINS: `http://127.0.0.1:${BASELINE_PORT}`,
});
const baseline = BASELINE_DIR
  ? await serveFiles(BASELINE_DIR, BASELINE_PORT, { fallback: 'index.html' })
  : undefined;
try {
  const serverPids = new Set<number>([server.pid!, ...tree(server.pid!).map((p) => p.pid)]);
  const sessionId = await createSession(PORT);
  const runs: Run[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const v of VARIANTS) {
      const run = await measure(sessionId, v, serverPids);
      runs.push(run);
      const ok = run.clickToPixelsMs.filter((x): x is number => x !== null);
      console.log(
        `round ${r + 1} ${v.name}: idle main ${run.idle.mainBusy} + other ${run.idle.otherCores} (raw ${run.idle.rawCores}), ` +
          `taps main ${run.taps.mainBusy} + other ${run.taps.otherCores}, ` +
          `click → pixels p50 ${round1(summarize(ok).p50)} ms (${ok.length}/${TAPS}), video ${run.videoWidth} px wide, ` +
          `JS ${run.scripts.reduce((a, s) => a + s.gzipBytes, 0)} B gz`,
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const meanCost = (cs: Cost[]): Cost => ({
    mainBusy: round3(mean(cs.map((c) => c.mainBusy))),
    otherCores: round3(mean(cs.map((c) => c.otherCores))),
    total: round3(mean(cs.map((c) => c.total))),
    rawCores: round3(mean(cs.map((c) => c.rawCores))),
  });
  const summary = Object.fromEntries(
    VARIANTS.map((v) => {
      const rs = runs.filter((r) => r.variant === v.name);
      const taps = rs.flatMap((r) => r.clickToPixelsMs);
      const ok = taps.filter((x): x is number => x !== null);
      const js = rs[0]!.scripts;
      return [
        v.name,
        {
          query: v.query || '(none)',
          ...(v.name === 'baseline' ? { build: BASELINE_DIR } : {}),
          jsGzipBytes: js.reduce((a, s) => a + s.gzipBytes, 0),
          jsBytes: js.reduce((a, s) => a + s.bytes, 0),
          scripts: js,
          idle: meanCost(rs.map((r) => r.idle)),
          taps: meanCost(rs.map((r) => r.taps)),
          runs: rs.map((r) => ({ idle: r.idle, taps: r.taps })),
          clickToPixelsMs: { ...summarize(ok), missed: taps.length - ok.length },
          videoWidth: rs.map((r) => r.videoWidth),
        },
      ];
    }),
  );
  type Costs = { idle: Cost; taps: Cost };
  const d = summary[VARIANTS[0]!.name] as Costs;
  const result = {
    at: new Date().toISOString(),
    throttle: THROTTLE,
    rounds: ROUNDS,
    taps: TAPS,
    idleSeconds: IDLE_S,
    screen: `${DEMO_SCREEN.width}x${DEMO_SCREEN.height}`,
    variants: summary,
    /** Each variant's cores ÷ the first variant's. */
    ratioToFirst: Object.fromEntries(
      VARIANTS.slice(1).map((v) => {
        const c = summary[v.name] as Costs;
        return [
          v.name,
          {
            idle: round3(c.idle.total / d.idle.total),
            taps: round3(c.taps.total / d.taps.total),
          },
        ];
      }),
    ),
  };
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/client-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('cost ÷ the first variant:', JSON.stringify(result.ratioToFirst));
  for (const [name, v] of Object.entries(summary)) {
    const s = v as Costs & { jsGzipBytes: number; clickToPixelsMs: { p50: number; p95: number } };
    console.log(
      `${name}: JS ${(s.jsGzipBytes / 1024).toFixed(1)} kB gz; idle: main thread ${s.idle.mainBusy} + other ${s.idle.otherCores} = ${s.idle.total}; ` +
        `taps: ${s.taps.mainBusy} + ${s.taps.otherCores} = ${s.taps.total}; click → pixels p50 ${round1(s.clickToPixelsMs.p50)} / p95 ${round1(s.clickToPixelsMs.p95)} ms`,
    );
  }
} finally {
  baseline?.close();
  await stopServer(server);
}
