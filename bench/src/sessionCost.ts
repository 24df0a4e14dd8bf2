/**
 * Session cost benchmark: what one streamed 720x1280 session costs the server (app +
 * capture + encode + SFU, CPU and memory, split by part), what watching it costs the viewer's
 * browser, what each additional viewer costs the server, and how long a viewer waits from
 * join to first frame. Figures go to
 * bench-results/session-cost.json; nothing here asserts, since our machines are shared.
 *
 *   pnpm bench            (env: BENCH_SECONDS=10, BENCH_JOINS=5, BENCH_EXTRA_VIEWERS=3, BENCH_PORT=8291)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CHROMIUM_PATH,
  joinToFirstFrameMs,
  markJoinToFirstFrame,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { type Browser, chromium } from 'playwright-core';
import { processes, sampleGroups, sessionGroups, tree } from './procStats.js';

const PORT = Number(process.env.BENCH_PORT ?? 8291);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const JOINS = Number(process.env.BENCH_JOINS ?? 5);
const EXTRA = Number(process.env.BENCH_EXTRA_VIEWERS ?? 3);
const base = `http://127.0.0.1:${PORT}`;

async function joinToFirstFrame(browser: Browser, sessionId: string): Promise<number> {
  const ctx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
  const page = await ctx.newPage();
  await page.addInitScript(markJoinToFirstFrame);
  await page.goto(`${base}/?session=${sessionId}`);
  const ms = (await (
    await page.waitForFunction(joinToFirstFrameMs, null, { timeout: 30_000 })
  ).jsonValue()) as number;
  await ctx.close();
  return ms;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

// No warm runtime: its idle app would be counted as this session's.
const server = await startServer(PORT, { OFFLOAD_WARM_RUNTIMES: '0' });
let browser: Browser | undefined;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
  const viewerCtx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
  const page = await viewerCtx.newPage();
  await page.goto(base);
  await page.getByTestId('start-demo').click();
  await waitForStreaming(page);
  const sessionId = new URL(page.url()).searchParams.get('session')!;
  await page.waitForTimeout(3000); // settle

  const all = processes();
  const serverTree = tree(server.pid!, all);
  const serverPids = new Set(serverTree.map((p) => p.pid));
  const groups = {
    ...sessionGroups(server.pid!, all),
    viewerBrowser: tree(process.pid, all)
      .filter((p) => !serverPids.has(p.pid) && p.pid !== process.pid && p.pid !== server.pid)
      .map((p) => p.pid),
  };
  console.log(`sampling CPU for ${SECONDS} s while one viewer watches session ${sessionId}…`);
  const cost = await sampleGroups(groups, SECONDS * 1000);
  const serverCores = (c: typeof cost) =>
    ['app', 'captureEncode', 'sfu', 'signaling'].reduce((a, k) => a + c[k]!.cores, 0);
  const sessionMem = ['app', 'captureEncode', 'sfu', 'signaling'].reduce((a, k) => a + cost[k]!.memMB, 0);
  const stats = await page.evaluate(() => {
    const v = document.querySelector('video')!;
    return {
      width: v.videoWidth,
      height: v.videoHeight,
      frames: v.getVideoPlaybackQuality().totalVideoFrames,
    };
  });

  // Cost per additional viewer: the same session with EXTRA more viewers, server side only
  // (app and encoder do not grow with viewers; the SFU and signaling do). Side by side with
  // the one-viewer figure above.
  const extraContexts = [];
  for (let i = 0; i < EXTRA; i++) {
    const ctx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
    const p = await ctx.newPage();
    await p.goto(`${base}/?session=${sessionId}&latency=0`);
    await waitForStreaming(p);
    extraContexts.push(ctx);
  }
  await page.waitForTimeout(2000);
  console.log(`sampling CPU for ${SECONDS} s with ${1 + EXTRA} viewers…`);
  const more = await sampleGroups(
    { app: groups.app, captureEncode: groups.captureEncode, sfu: groups.sfu, signaling: groups.signaling },
    SECONDS * 1000,
  );
  for (const ctx of extraContexts) await ctx.close();
  const perViewer = (serverCores(more) - serverCores(cost)) / EXTRA;

  const joins: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    joins.push(await joinToFirstFrame(browser, sessionId));
    process.stdout.write(`join → first frame #${i + 1}: ${joins.at(-1)} ms\n`);
  }

  const result = {
    at: new Date().toISOString(),
    machine: { cores: (await import('node:os')).availableParallelism() },
    video: stats,
    sessionCpuCores: Math.round(serverCores(cost) * 1000) / 1000,
    sessionMemMB: sessionMem,
    breakdown: cost,
    additionalViewers: {
      extra: EXTRA,
      serverCoresWithOne: Math.round(serverCores(cost) * 1000) / 1000,
      serverCoresWithMore: Math.round(serverCores(more) * 1000) / 1000,
      sfuCoresWithOne: cost.sfu!.cores,
      sfuCoresWithMore: more.sfu!.cores,
      serverCoresPerAdditionalViewer: Math.round(perViewer * 1000) / 1000,
    },
    joinToFirstFrameMs: { samples: joins, p50: quantile(joins, 0.5), max: Math.max(...joins) },
  };
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/session-cost.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser?.close();
  await stopServer(server);
}
