/**
 * Latency benchmark (figures, not assertions):
 * 1. input-to-photon on loopback at 720x1280: TAPS taps on the demo's counter, p50/p95/p99 of
 *    the total and of every segment, and the verdict against a few budgets;
 * 2. what the always-on latency monitor costs the viewer's browser: the same drag workload
 *    with the monitor off (?latency=0), on with the HUD hidden, and on with the HUD shown,
 *    each in a fresh browser, interleaved over ROUNDS rounds, reported as CPU and ratios.
 * Writes bench-results/latency.json.   env: BENCH_TAPS=30, BENCH_ROUNDS=2, BENCH_PORT=8292
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  evaluateBudget,
  type LatencySample,
  makeBudget,
  SEGMENTS,
  type Segment,
  summarize,
} from '@offload/latency';
import {
  CHROMIUM_PATH,
  DEMO_COUNTER,
  latencySamples,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { processes, sampleGroups, tree } from './procStats.js';

const PORT = Number(process.env.BENCH_PORT ?? 8292);
const TAPS = Number(process.env.BENCH_TAPS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const base = `http://127.0.0.1:${PORT}`;

async function open(url: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
  const page = await (await browser.newContext({ permissions: VIEWER_PERMISSIONS })).newPage();
  await page.goto(url);
  return { browser, page };
}

async function streaming(page: Page): Promise<void> {
  await waitForStreaming(page);
  await page.waitForTimeout(1500);
}

async function videoPoint(page: Page, nx: number, ny: number) {
  const b = (await page.getByTestId('stream').boundingBox())!;
  return { x: b.x + nx * b.width, y: b.y + ny * b.height };
}

function segmentSummary(samples: LatencySample[]) {
  return Object.fromEntries(SEGMENTS.map((s) => [s, summarize(samples.map((x) => x.segments[s]))]));
}

const round1 = (x: number) => Math.round(x * 10) / 10;

const server = await startServer(PORT);
const result: Record<string, unknown> = { at: new Date().toISOString(), taps: TAPS };
try {
  // 1. Input-to-photon.
  const { browser, page } = await open(base);
  await page.getByTestId('start-demo').click();
  await streaming(page);
  const sessionId = new URL(page.url()).searchParams.get('session')!;
  const counter = await videoPoint(page, DEMO_COUNTER.x, DEMO_COUNTER.y);
  for (let i = 0; i < TAPS; i++) {
    await page.mouse.click(counter.x, counter.y);
    await page.waitForTimeout(350);
  }
  await page.waitForTimeout(1000);
  const all = await latencySamples(page);
  const presses = all.filter((s) => s.kind === 'touch:start' || s.kind === 'pointer:down');
  const total = summarize(presses.map((s) => s.total));
  const segments = segmentSummary(presses);
  const withFrameGap = presses.filter((s) => s.frameGap > 0).length;
  const p95 = {
    total: total.p95,
    segments: Object.fromEntries(SEGMENTS.map((s) => [s, segments[s]!.p95])) as Record<Segment, number>,
  };
  result.inputToPhoton = {
    presses: presses.length,
    allInputs: all.length,
    totalMs: total,
    // Samples the page could only bracket (frames presented without a callback): how many, how wide.
    withFrameGap,
    frameGapMs: summarize(presses.map((s) => s.frameGap)),
    segmentsMs: segments,
    verdicts: ['cloud-phone@wired', 'cloud-phone@5g-a', 'gaming-casual@wired', 'gaming-competitive@5g-a'].map(
      (id) => {
        const [app, net] = id.split('@') as [string, string];
        const v = evaluateBudget(makeBudget(app, net), p95);
        return { budget: id, pass: v.pass, burnsMost: v.burnsMost };
      },
    ),
  };
  console.log(
    `input-to-photon over ${presses.length} taps: p50 ${round1(total.p50)} ms, p95 ${round1(total.p95)} ms; ` +
      `${withFrameGap} with a frame gap`,
  );
  for (const s of SEGMENTS)
    console.log(`  ${s.padEnd(14)} p50 ${round1(segments[s]!.p50)}  p95 ${round1(segments[s]!.p95)}`);

  // 2. Monitor cost, side by side. The owner page stays (idle) so the session lives on, and
  // gives up control: each measured viewer then gets it on joining, so its drag is injected
  // (a watcher's input would be dropped, and an unchanging picture would cost less).
  await page.getByTestId('control-release').click();
  await page.getByTestId('control-take').waitFor();
  const configs = [
    { name: 'monitorOff', query: '&latency=0', hud: false },
    { name: 'monitorOnHudHidden', query: '', hud: false },
    { name: 'monitorOnHudShown', query: '', hud: true },
  ];
  const cost: Record<string, number[]> = Object.fromEntries(configs.map((c) => [c.name, []]));
  const serverPids = new Set<number>([server.pid!, ...tree(server.pid!).map((p) => p.pid)]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of configs) {
      const before = new Set(tree(process.pid).map((p) => p.pid));
      const v = await open(`${base}/?session=${sessionId}${c.query}`);
      await streaming(v.page);
      if (c.hud) await v.page.getByTestId('hud-toggle').click();
      const viewerPids = tree(process.pid, processes())
        .map((p) => p.pid)
        .filter((p) => !before.has(p) && !serverPids.has(p));
      // Workload: a continuous drag on the canvas (moves every frame), the monitor's worst case.
      const from = await videoPoint(v.page, 0.2, 0.6);
      const to = await videoPoint(v.page, 0.8, 0.85);
      let dragging = true;
      const drag = (async () => {
        while (dragging) {
          await v.page.mouse.move(from.x, from.y);
          await v.page.mouse.down();
          await v.page.mouse.move(to.x, to.y, { steps: 60 });
          await v.page.mouse.up();
        }
      })();
      const sample = await sampleGroups({ viewer: viewerPids }, 8000);
      dragging = false;
      await drag;
      cost[c.name]!.push(sample.viewer!.cores);
      console.log(`round ${r + 1} ${c.name}: viewer ${sample.viewer!.cores} cores`);
      await v.browser.close();
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const off = mean(cost.monitorOff!);
  result.monitorCost = {
    workload: 'continuous drag over the canvas for 8 s per run',
    viewerCores: Object.fromEntries(
      Object.entries(cost).map(([k, v]) => [k, { runs: v, mean: Math.round(mean(v) * 1000) / 1000 }]),
    ),
    ratioHiddenToOff: Math.round((mean(cost.monitorOnHudHidden!) / off) * 100) / 100,
    ratioShownToOff: Math.round((mean(cost.monitorOnHudShown!) / off) * 100) / 100,
  };
  await browser.close();
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/latency.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result.monitorCost, null, 2));
} finally {
  await stopServer(server);
}
