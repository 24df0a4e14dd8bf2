/**
 * Fan-out benchmark (figures, not assertions): what one more viewer of a session costs the
 * server's SFU and signaling (mediasoup workers + the Node process), hence viewers per core,
 * and what the second simulcast layer costs the encoder. Writes bench-results/fanout.json.
 *
 * Two kinds of viewer, side by side:
 * - real Chromium viewers (WebRTC: ICE, DTLS/SRTP, transport-cc, bandwidth estimation,
 *   data channels) — each also decodes at ~0.25 of a core here, so only a few fit;
 * - plain receivers: PlainTransport consumers placed on the session's routers like viewers,
 *   sending plain RTP into one UDP socket in this process. mediasoup forwards and rewrites
 *   every packet and sends RTCP for each, but does no SRTP, ICE or congestion control for
 *   them: a lower bound of the per-viewer cost that scales to hundreds.
 *
 *   pnpm --filter @offload/bench fanout
 *   env: BENCH_SECONDS=8, BENCH_PLAIN=100 (receivers per step, two steps),
 *        BENCH_CHROMIUM_EXTRA=2, BENCH_SIMULCAST_ROUNDS=2, BENCH_PORT=8293
 */
import dgram from 'node:dgram';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { processes, sampleGroups, tree } from './procStats.js';

const PORT = Number(process.env.BENCH_PORT ?? 8293);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const PLAIN = Number(process.env.BENCH_PLAIN ?? 100);
const CHROMIUM_EXTRA = Number(process.env.BENCH_CHROMIUM_EXTRA ?? 2);
const SIMULCAST_ROUNDS = Number(process.env.BENCH_SIMULCAST_ROUNDS ?? 2);
const base = `http://127.0.0.1:${PORT}`;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

type Server = Awaited<ReturnType<typeof startServer>>;

async function withServer<T>(env: Record<string, string>, f: (s: Server) => Promise<T>): Promise<T> {
  const server = await startServer(PORT, { OFFLOAD_DEBUG: '1', OFFLOAD_MAX_VIEWERS: '1000', ...env });
  try {
    return await f(server);
  } finally {
    await stopServer(server);
  }
}

/** A new session with one Chromium viewer; returns the session id and the viewer's context. */
async function startSession(browser: Browser): Promise<{ ctx: BrowserContext; sessionId: string }> {
  const sessionId = await createSession(PORT);
  const ctx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
  const page = await ctx.newPage();
  await page.goto(`${base}/?session=${sessionId}`);
  await waitForStreaming(page, 60_000);
  await page.waitForTimeout(2000); // settle: first keyframes, bandwidth estimate
  return { ctx, sessionId };
}

async function joinViewer(browser: Browser, sessionId: string): Promise<BrowserContext> {
  const ctx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
  const page = await ctx.newPage();
  await page.goto(`${base}/?session=${sessionId}&latency=0`);
  await waitForStreaming(page, 60_000);
  return ctx;
}

/** The server's processes by part: each mediasoup worker, the Node process, the encoder. */
function serverGroups(server: Server) {
  const all = tree(server.pid!, processes());
  const workers = all.filter((p) => p.comm.startsWith('mediasoup')).map((p) => p.pid);
  return {
    workers,
    groups: {
      ...Object.fromEntries(workers.map((pid, i) => [`worker${i}`, [pid]])),
      sfu: workers,
      signaling: [server.pid!],
      encoder: all.filter((p) => p.comm.startsWith('python')).map((p) => p.pid),
    } as Record<string, number[]>,
  };
}

async function debug(sessionId: string, suffix = '', method = 'GET'): Promise<Record<string, unknown>> {
  const r = await fetch(`${base}/debug/sessions/${sessionId}${suffix}`, { method });
  const body = (await r.json()) as Record<string, unknown>;
  if (!r.ok) throw new Error(`${method} ${suffix}: ${JSON.stringify(body)}`);
  return body;
}

/** A UDP sink for plain receivers: counts what arrives. */
async function udpSink(): Promise<{ port: number; packets: () => number; close: () => void }> {
  const s = dgram.createSocket('udp4');
  let n = 0;
  s.on('message', () => n++);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  s.setRecvBufferSize?.(8 * 1024 * 1024);
  return { port: s.address().port, packets: () => n, close: () => s.close() };
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
const load: number[][] = [];
try {
  // 1. Simulcast's encoder cost: the same session with one layer and with two, interleaved.
  const encoder: { layers: number; cores: number }[] = [];
  for (let round = 0; round < SIMULCAST_ROUNDS; round++) {
    for (const layers of [1, 2]) {
      const cores = await withServer(
        { OFFLOAD_SIMULCAST: String(layers), OFFLOAD_WORKERS: '1', OFFLOAD_CODECS: 'h264' },
        async (server) => {
          const { ctx } = await startSession(browser);
          const { groups } = serverGroups(server);
          const cost = await sampleGroups({ encoder: groups.encoder! }, SECONDS * 1000);
          await ctx.close();
          return cost.encoder!.cores;
        },
      );
      encoder.push({ layers, cores });
      console.log(`encoder, ${layers} layer(s): ${cores} cores`);
    }
  }
  const mean = (layers: number) => {
    const xs = encoder.filter((e) => e.layers === layers).map((e) => e.cores);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };

  // 2. Per-viewer cost, all viewers on one router (no piping): Chromium, then plain receivers.
  const perViewer = await withServer(
    { OFFLOAD_WORKERS: '2', OFFLOAD_VIEWERS_PER_ROUTER: '10000', OFFLOAD_CODECS: 'h264' },
    async (server) => {
      const { ctx, sessionId } = await startSession(browser);
      const { groups } = serverGroups(server);
      const sfuSig = (c: Record<string, { cores: number }>) => c.sfu!.cores + c.signaling!.cores;
      load.push(os.loadavg());
      // Chromium viewers cost the server little next to the noise of a shared box: sample longer.
      console.log(`sampling ${2 * SECONDS} s with 1 Chromium viewer…`);
      const one = await sampleGroups(groups, 2 * SECONDS * 1000);
      const extras: BrowserContext[] = [];
      for (let i = 0; i < CHROMIUM_EXTRA; i++) extras.push(await joinViewer(browser, sessionId));
      await new Promise((r) => setTimeout(r, 2000));
      console.log(`sampling ${2 * SECONDS} s with ${1 + CHROMIUM_EXTRA} Chromium viewers…`);
      const more = await sampleGroups(groups, 2 * SECONDS * 1000);
      for (const c of extras) await c.close();
      await new Promise((r) => setTimeout(r, 2000));

      const sink = await udpSink();
      const steps: { receivers: number; sfuSignalingCores: number; sinkPacketsPerS: number }[] = [];
      console.log(`sampling ${SECONDS} s with no plain receivers…`);
      const zero = await sampleGroups(groups, SECONDS * 1000);
      steps.push({ receivers: 0, sfuSignalingCores: r3(sfuSig(zero)), sinkPacketsPerS: 0 });
      for (const n of [PLAIN, 2 * PLAIN]) {
        await debug(
          sessionId,
          `/plain-receivers?count=${n - steps.at(-1)!.receivers}&port=${sink.port}`,
          'POST',
        );
        await new Promise((r) => setTimeout(r, 2000));
        const p0 = sink.packets();
        const t0 = performance.now();
        console.log(`sampling ${SECONDS} s with ${n} plain receivers…`);
        const c = await sampleGroups(groups, SECONDS * 1000);
        const pps = ((sink.packets() - p0) * 1000) / (performance.now() - t0);
        steps.push({ receivers: n, sfuSignalingCores: r3(sfuSig(c)), sinkPacketsPerS: Math.round(pps) });
      }
      await debug(sessionId, '/plain-receivers', 'DELETE');
      sink.close();
      await ctx.close();
      // Least-squares slope through the steps: cores per receiver.
      const xs = steps.map((s) => s.receivers);
      const ys = steps.map((s) => s.sfuSignalingCores);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const slope =
        xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      const chromiumPer = (sfuSig(more) - sfuSig(one)) / CHROMIUM_EXTRA;
      return {
        chromium: {
          viewersRun: 1 + CHROMIUM_EXTRA,
          sfuSignalingCoresWithOne: r3(sfuSig(one)),
          sfuSignalingCoresWithMore: r3(sfuSig(more)),
          // The difference (noisy: can come out ≤ 0 here) and an upper bound that charges all
          // of the SFU and Node's CPU (idle costs included) to the viewers.
          coresPerViewer: r3(chromiumPer),
          viewersPerCore: chromiumPer > 0 ? Math.round(1 / chromiumPer) : null,
          coresPerViewerUpperBound: r3(sfuSig(more) / (1 + CHROMIUM_EXTRA)),
          viewersPerCoreLowerBound: Math.round((1 + CHROMIUM_EXTRA) / sfuSig(more)),
        },
        plain: {
          steps,
          coresPerViewer: Math.round(slope * 1e5) / 1e5,
          viewersPerCore: slope > 0 ? Math.round(1 / slope) : null,
          packetsPerSPerReceiver: Math.round(steps.at(-1)!.sinkPacketsPerS / steps.at(-1)!.receivers),
        },
      };
    },
  );
  console.log(JSON.stringify(perViewer, null, 2));

  // 3. Fan-out: 2×PLAIN plain receivers with PLAIN per router, so half are piped to the other worker.
  const fanout = await withServer(
    { OFFLOAD_WORKERS: '2', OFFLOAD_VIEWERS_PER_ROUTER: String(PLAIN), OFFLOAD_CODECS: 'h264' },
    async (server) => {
      const { ctx, sessionId } = await startSession(browser);
      const { groups, workers } = serverGroups(server);
      const sink = await udpSink();
      // The Chromium viewer holds one place on the origin router.
      await debug(sessionId, `/plain-receivers?count=${2 * PLAIN - 1}&port=${sink.port}`, 'POST');
      await new Promise((r) => setTimeout(r, 2000));
      console.log(`sampling ${SECONDS} s with ${2 * PLAIN} viewers over two routers…`);
      const c = await sampleGroups(groups, SECONDS * 1000);
      const routers = (await debug(sessionId)).routers;
      await debug(sessionId, '/plain-receivers', 'DELETE');
      sink.close();
      await ctx.close();
      return {
        viewers: 2 * PLAIN,
        viewersPerRouter: PLAIN,
        routers,
        workerCores: workers.map((_, i) => c[`worker${i}`]!.cores),
        sfuCores: c.sfu!.cores,
        signalingCores: c.signaling!.cores,
      };
    },
  );

  const result = {
    at: new Date().toISOString(),
    machine: { cores: os.availableParallelism(), loadavg: load[0]?.map((x) => Math.round(x * 10) / 10) },
    note: 'Shared 2-core machine: orders of magnitude, not exact figures. Server = mediasoup workers + Node; app and encoder excluded.',
    simulcastEncoder: {
      samples: encoder,
      oneLayerCores: r3(mean(1)),
      twoLayersCores: r3(mean(2)),
      ratio: Math.round((mean(2) / mean(1)) * 100) / 100,
    },
    perViewer,
    fanout,
  };
  mkdirSync(path.join(root, 'bench-results'), { recursive: true });
  writeFileSync(path.join(root, 'bench-results/fanout.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
} finally {
  await browser.close();
}
