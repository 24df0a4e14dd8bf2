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
 * Each Offload stack is also set against every VNC stack of the run, and against the best of
 * them (the lowest p50 and the lowest p95 of any VNC stack): by default VNC runs on both a
 * 120 Hz app screen (Offload's default) and a 60 Hz one, since neither is better at both.
 *   env: BENCH_ROUNDS=6, BENCH_TAPS=16 (per round and stack; a p95 needs many taps),
 *        BENCH_PORT=8294, BENCH_VNC_ARGS (x11vnc tuning),
 *        BENCH_STACKS="vnc,offload,vnc[OFFLOAD_APP_REFRESH_HZ=60]" — stacks in the order each
 *        round runs them, the first one the baseline of `ratioTo`; a stack may carry settings
 *        (a VNC stack only OFFLOAD_APP_REFRESH_HZ); an Offload stack may carry server settings to compare variants
 *        side by side: "offload,offload[OFFLOAD_FPS=60]" or "offload[OFFLOAD_CAPTURE=tick|OFFLOAD_PLAYOUT_DELAY_MS=off]",
 *        and may run another checkout of Offload (set up and built) to compare versions:
 *        "offload@/path/to/checkout".
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
import { cpuOf, processes, tree } from './procStats.js';
import { serveFiles } from './staticFiles.js';
import { COUNTER_PROBE, installProbe, pressAndWatch } from './vnc/clickToPixels.js';
import { DEFAULT_STACKS, parseStacks, refreshHzOf, type StackSpec } from './vnc/stacks.js';
import { VNC_ARGS, VncStack } from './vnc/VncStack.js';

const PORT = Number(process.env.BENCH_PORT ?? 8294);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const TAPS = Number(process.env.BENCH_TAPS ?? 16);
/** Wait after a viewer is up before its first tap (ms). */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1500);
const WIDTH = 720;
const HEIGHT = 1280;
const base = `http://127.0.0.1:${PORT}`;

const STACKS = parseStacks(process.env.BENCH_STACKS ?? DEFAULT_STACKS);

const { pressAt: PRESS_AT, points: POINTS, threshold: THRESHOLD } = COUNTER_PROBE;

interface Round {
  stack: string;
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

/** The demo app's files over HTTP on loopback, the same origin for both stacks' app browsers. */
async function serveDemo(): Promise<{ url: string; close(): void }> {
  const server = await serveFiles(path.join(root, 'apps/demo-app/public'), PORT + 300);
  return { url: `http://127.0.0.1:${PORT + 300}/`, close: () => server.close() };
}

/** Taps TAPS times on the screen element of `page`; CPU of `stackPids` and `viewerPids` over it. */
async function tapRound(page: Page, selector: string, stackPids: () => number[], viewerPids: number[]) {
  await installProbe(page, { selector, points: POINTS, threshold: THRESHOLD, appWidth: WIDTH });
  const box = (await page.locator(selector).boundingBox())!;
  // Page px per app px: the Offload client may scale its video (the app's width spans it,
  // whatever layer it decodes); noVNC draws the X screen 1:1 into its canvas.
  const appPx = await page
    .locator(selector)
    .evaluate((el, w) => (el instanceof HTMLVideoElement ? w : (el as HTMLCanvasElement).width), WIDTH);
  const scale = box.width / appPx;
  const x = box.x + PRESS_AT.x * scale;
  const y = box.y + PRESS_AT.y * scale;
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

/** The demo app, served to both stacks from the same place. */
const demo = await serveDemo();
const before = new Set(tree(process.pid).map((p) => p.pid));
const viewer = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
const viewerPids = tree(process.pid, processes())
  .map((p) => p.pid)
  .filter((p) => !before.has(p));
const rounds: Round[] = [];

/**
 * A round's measuring part fails after this long instead of hanging: once, a viewer page never
 * came up and nothing in it timed out (a page.evaluate waits forever), and the run sat for
 * minutes. The failure ends the round (its stack is closed) and gets the round's one retry.
 */
const ROUND_DEADLINE_MS = Number(process.env.BENCH_ROUND_DEADLINE_MS ?? 180_000);
async function withinDeadline<T>(what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} hung for ${ROUND_DEADLINE_MS / 1000} s`)),
      ROUND_DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work(), hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function vncRound(r: number, spec: StackSpec): Promise<Omit<Round, 'stack'>> {
  const stack = await VncStack.start({
    appUrl: demo.url,
    width: WIDTH,
    height: HEIGHT,
    rfbPort: PORT + 100 + r,
    wsPort: PORT + 200 + r,
    refreshHz: refreshHzOf(spec),
  });
  const context = await viewer.newContext({ viewport: { width: 800, height: 1400 } });
  try {
    return await withinDeadline('the VNC round', async () => {
      const page = await context.newPage();
      await page.goto(stack.clientUrl);
      await page.locator('#screen canvas').waitFor();
      await page.waitForFunction(() =>
        /Connected/i.test(document.getElementById('status')?.textContent ?? ''),
      );
      await page.waitForTimeout(SETTLE_MS);
      return await tapRound(page, '#screen canvas', () => stack.pids(), viewerPids);
    });
  } finally {
    await context.close();
    await stack.close();
  }
}

/** One round on a server of its own with the stack's settings (so only one app runs at a time). */
async function offloadRound(stack: StackSpec): Promise<Omit<Round, 'stack'>> {
  const server = await startServer(
    PORT,
    { OFFLOAD_APP_URL: demo.url, OFFLOAD_WARM_RUNTIMES: '0', ...stack.env },
    stack.checkout,
  );
  const context = await viewer.newContext({
    viewport: { width: 800, height: 1400 },
    permissions: VIEWER_PERMISSIONS,
  });
  try {
    return await withinDeadline('the Offload round', async () => {
      const sessionId = await createSession(PORT);
      const page = await context.newPage();
      await page.goto(`${base}/?session=${sessionId}`);
      const state = () =>
        page.evaluate(
          () =>
            `player ${document.documentElement.dataset.offloadState}, video ${document.querySelector('video')?.videoWidth ?? 'none'} px wide`,
        );
      await waitForStreaming(page).catch(async (err: Error) => {
        throw new Error(`the player did not stream within 30 s (${await state()}): ${err.message}`);
      });
      // Simulcast: tap once this viewer decodes the full-size layer (it may start on the low one).
      await page
        .waitForFunction((w) => document.querySelector('video')?.videoWidth === w, WIDTH, { timeout: 30_000 })
        .catch(async (err: Error) => {
          throw new Error(`the viewer got no full-size video within 30 s (${await state()}): ${err.message}`);
        });
      await page.waitForTimeout(SETTLE_MS);
      const serverPids = tree(server.pid!).map((p) => p.pid);
      // The player's <video> (any version of the client: the probe reads the app's pixels at its top).
      const r = await tapRound(page, 'video', () => serverPids, viewerPids);
      await page.waitForTimeout(1000);
      const presses = (await latencySamples(page)).filter(
        (s) => s.kind === 'touch:start' || s.kind === 'pointer:down',
      );
      return {
        ...r,
        monitorMs: presses.map((s) => round1(s.total)),
        monitorFrameGapMs: presses.map((s) => round1(s.frameGap)),
        monitorSegments: presses.map((s) => s.segments),
      };
    });
  } finally {
    await context.close();
    await stopServer(server);
  }
}

try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const stack of STACKS) {
      const run = () => (stack.kind === 'vnc' ? vncRound(r, stack) : offloadRound(stack));
      // A stack that fails to come up (x11vnc once never showed noVNC a screen) gets one more
      // try, afresh; a second failure ends the run.
      const measured = await run().catch((err: Error) => {
        console.log(`round ${r + 1} ${stack.label}: failed (${err.message.split('\n')[0]}); once more`);
        return run();
      });
      const round: Round = { stack: stack.label, ...measured };
      rounds.push(round);
      const ok = round.clickToPixelsMs.filter((x): x is number => x !== null);
      console.log(
        `round ${r + 1} ${stack.label}: click → pixels p50 ${round1(summarize(ok).p50)} ms ` +
          `(${ok.length}/${TAPS} seen)${round.monitorMs ? `, monitor p50 ${round1(summarize(round.monitorMs).p50)} ms` : ''}; ` +
          `stack ${round.stackCores} cores, viewer ${round.viewerCores} cores`,
      );
    }
  }
} finally {
  await viewer.close();
  demo.close();
}

const of = (label: string) => rounds.filter((r) => r.stack === label);
const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;

/** Everything one stack measured, over all its rounds. */
function stackResult(label: string) {
  const rs = of(label);
  const taps = rs.flatMap((r) => r.clickToPixelsMs);
  const out: Record<string, unknown> = {
    clickToPixelsMs: {
      ...summarize(taps.filter((x): x is number => x !== null)),
      missed: taps.filter((x) => x === null).length,
    },
    stackCores: mean(rs.map((r) => r.stackCores)),
    viewerCores: mean(rs.map((r) => r.viewerCores)),
  };
  if (rs.some((r) => r.monitorMs)) {
    // The monitor against the external method, tap by tap (where both saw the tap).
    const pairs = rs.flatMap((r) =>
      r.clickToPixelsMs.flatMap((ext, i) =>
        ext !== null && r.monitorMs?.[i] !== undefined ? [r.monitorMs[i]! - ext] : [],
      ),
    );
    const segments = rs.flatMap((r) => r.monitorSegments ?? []);
    const total = summarize(rs.flatMap((r) => r.monitorMs ?? []));
    const verdict = evaluateBudget(makeBudget('cloud-phone', 'wired'), {
      total: total.p95,
      segments: Object.fromEntries(
        SEGMENTS.map((k) => [k, summarize(segments.map((x) => x[k])).p95]),
      ) as Record<Segment, number>,
    });
    out.monitor = {
      /** What the HUD says for the cloud-phone budget on a wired network, at p95. */
      cloudPhoneWired: {
        pass: verdict.pass,
        burnsMost: verdict.burnsMost,
        failing: verdict.segments
          .filter((v) => !v.pass)
          .map((v) => `${v.segment} ${round1(v.p95)} > ${round1(v.allowance)}`),
      },
      totalMs: total,
      minusExternalMs: summarize(pairs),
      pairs: pairs.length,
      withFrameGap: rs.flatMap((r) => r.monitorFrameGapMs ?? []).filter((g) => g > 0).length,
      segmentsMs: Object.fromEntries(SEGMENTS.map((k) => [k, summarize(segments.map((x) => x[k]))])),
    };
  }
  return out;
}

const stacks = Object.fromEntries(STACKS.map((s) => [s.label, stackResult(s.label)]));
const ext = (label: string) => stacks[label]!.clickToPixelsMs as { p50: number; p95: number };
const baseline = STACKS[0]!.label;
const ratios: Record<string, { p50: number; p95: number }> = Object.fromEntries(
  STACKS.slice(1).map((s) => [
    s.label,
    {
      p50: Math.round((ext(s.label).p50 / ext(baseline).p50) * 100) / 100,
      p95: Math.round((ext(s.label).p95 / ext(baseline).p95) * 100) / 100,
    },
  ]),
);
const ratioOf = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const vncs = STACKS.filter((s) => s.kind === 'vnc');
/**
 * Each Offload stack against every VNC stack, and against the best VNC figure of the run
 * (p50 and p95 each the lowest any VNC stack reached): below 1 for both = faster than VNC
 * however it was set up here.
 */
const versusVnc = Object.fromEntries(
  STACKS.filter((s) => s.kind === 'offload' && vncs.length > 0).map((s) => {
    const best = {
      p50: Math.min(...vncs.map((v) => ext(v.label).p50)),
      p95: Math.min(...vncs.map((v) => ext(v.label).p95)),
    };
    return [
      s.label,
      {
        ...Object.fromEntries(
          vncs.map((v) => [
            v.label,
            {
              p50: ratioOf(ext(s.label).p50, ext(v.label).p50),
              p95: ratioOf(ext(s.label).p95, ext(v.label).p95),
            },
          ]),
        ),
        bestVnc: {
          ...best,
          ratio: { p50: ratioOf(ext(s.label).p50, best.p50), p95: ratioOf(ext(s.label).p95, best.p95) },
        },
      },
    ];
  }),
);
const result = {
  at: new Date().toISOString(),
  rounds: ROUNDS,
  tapsPerRound: TAPS,
  screen: `${WIDTH}x${HEIGHT}`,
  vncArgs: VNC_ARGS.join(' '),
  stacks: Object.fromEntries(
    STACKS.map((s) => [s.label, { ...s, appRefreshHz: refreshHzOf(s), ...stacks[s.label] }]),
  ),
  /** Each stack's click → pixels over the first stack's (the baseline, VNC by default). */
  ratioTo: { baseline, ...ratios },
  versusVnc,
  rawRounds: rounds,
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/vs-vnc.json'), `${JSON.stringify(result, null, 2)}\n`);
const width = Math.max(...STACKS.map((s) => s.label.length));
for (const s of STACKS) {
  const r = stacks[s.label]!;
  const e = ext(s.label);
  const m = r.monitor as
    | { totalMs: { p50: number; p95: number }; minusExternalMs: { p50: number } }
    | undefined;
  const ratio = s.label === baseline ? '' : ` (×${ratios[s.label]!.p50} / ×${ratios[s.label]!.p95})`;
  console.log(
    `${s.label.padEnd(width)}  click → pixels p50 ${round1(e.p50)} ms, p95 ${round1(e.p95)} ms${ratio}; ` +
      `${r.stackCores} cores server-side` +
      (m
        ? `; monitor p50 ${round1(m.totalMs.p50)}, p95 ${round1(m.totalMs.p95)} (monitor − external p50 ${round1(m.minusExternalMs.p50)})`
        : ''),
  );
  const mon = r.monitor as
    | {
        segmentsMs: Record<string, { p50: number; p95: number }>;
        cloudPhoneWired: { pass: boolean; failing: string[] };
      }
    | undefined;
  if (mon) {
    const segs = mon.segmentsMs;
    console.log(
      `${' '.repeat(width)}  segments p50/p95: ${SEGMENTS.map((k) => `${k} ${round1(segs[k]!.p50)}/${round1(segs[k]!.p95)}`).join(', ')}`,
    );
    const v = mon.cloudPhoneWired;
    console.log(
      `${' '.repeat(width)}  cloud phone on wired at p95: ${v.pass ? 'PASS' : `FAIL (${v.failing.join(', ')})`}`,
    );
  }
}
for (const [label, v] of Object.entries(versusVnc)) {
  const b = v.bestVnc as { p50: number; p95: number; ratio: { p50: number; p95: number } };
  console.log(
    `${label} against the best VNC figures of this run (p50 ${round1(b.p50)} ms, p95 ${round1(b.p95)} ms): ` +
      `×${b.ratio.p50} / ×${b.ratio.p95}`,
  );
}
