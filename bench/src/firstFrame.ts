/**
 * The first minute, timed (figures, not assertions): a new user on the start page presses
 * "Open the demo app"; how long until the first frame of the app is decoded in the player,
 * with a warm runtime waiting (the server's default), over BENCH_RUNS runs, each in a fresh
 * browser context once the previous session has ended and a warm runtime is ready again.
 * Split into click → streaming (create + join + media set-up, the client's state) and
 * streaming → first decoded frame. Each run's line also lists its steps: the socket, each
 * request and answer, each peer connection's ICE/DTLS states, and from the receiver's stats the
 * first video packet (rtp), frame received and decoded, and keyframe request sent (pli).
 * With BENCH_BASELINE_CHECKOUT (another checkout of the repository, set up and built), its
 * server is measured the same way, rounds alternating with this one's (one server at a time),
 * so an earlier version and this one are compared side by side in one run.
 * Writes bench-results/first-frame.json.
 *   env: BENCH_RUNS=8 (per variant), BENCH_ROUNDS=2, BENCH_PORT=8298, BENCH_BASELINE_CHECKOUT
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { summarize } from '@offload/latency';
import {
  CHROMIUM_PATH,
  root,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
} from '@offload/testkit';
import { chromium } from 'playwright-core';

const PORT = Number(process.env.BENCH_PORT ?? 8298);
const RUNS = Number(process.env.BENCH_RUNS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BASELINE = process.env.BENCH_BASELINE_CHECKOUT;
const VARIANTS = [
  ...(BASELINE ? [{ name: 'baseline', checkout: BASELINE }] : []),
  { name: 'current', checkout: root },
];
const base = `http://127.0.0.1:${PORT}`;

/** In the page: the client's state changes and the first decoded frame, stamped (performance.now). */
const WATCH = `(() => {
  window.__t = [];
  let last = '';
  // The click as the page gets it (not when Playwright starts its click: its actionability
  // checks and CDP round trips come before, 50-150 ms that no user waits through).
  document.addEventListener('click', (e) => window.__t.push(['click', e.timeStamp]), { capture: true, once: true });
  // Where the time between the states goes: the socket's open, each peer connection's ICE and
  // DTLS states (recv is the one that carries the picture).
  const NativeWS = window.WebSocket;
  window.WebSocket = class extends NativeWS {
    constructor(...a) {
      super(...a);
      this.addEventListener('open', () => window.__t.push(['ws-open', performance.now()]));
      this.addEventListener('message', (e) => { try { const m = JSON.parse(e.data); window.__t.push(['ws<' + (m.type ?? m.method ?? (m.ok !== undefined || m.error ? 'res' + m.id : '?')), performance.now()]); } catch {} });
    }
    send(d) { try { const m = JSON.parse(d); window.__t.push(['ws>' + (m.type ?? m.method ?? '?'), performance.now()]); } catch {} return super.send(d); }
  };
  const NativePC = window.RTCPeerConnection;
  let pcs = 0;
  window.RTCPeerConnection = class extends NativePC {
    constructor(...a) {
      super(...a);
      const n = pcs++;
      (window.__pcs ??= []).push(this);
      this.addEventListener('iceconnectionstatechange', () => window.__t.push(['pc' + n + '-ice-' + this.iceConnectionState, performance.now()]));
      this.addEventListener('connectionstatechange', () => window.__t.push(['pc' + n + '-' + this.connectionState, performance.now()]));
    }
  };
  const seen = {};
  let lastPoll = 0;
  const poll = () => {
    const now = performance.now();
    if (now - lastPoll < 50) return;
    lastPoll = now;
    for (const pc of window.__pcs ?? []) pc.getStats().then((st) => st.forEach((r) => {
      if (r.type !== 'inbound-rtp' || r.kind !== 'video') return;
      const t = performance.now();
      for (const [k, cond] of [['rtp', r.packetsReceived > 0], ['frRecv', r.framesReceived > 0], ['frDec', r.framesDecoded > 0], ['kfDec', r.keyFramesDecoded > 0], ['pli', r.pliCount > 0], ['nack', r.nackCount > 0]])
        if (cond && !seen[k]) { seen[k] = 1; window.__t.push([k, t]); }
    })).catch(() => {});
  };
  const tick = () => {
    poll();
    const s = document.documentElement.dataset.offloadState || '';
    if (s !== last) { window.__t.push([s, performance.now()]); last = s; }
    const v = document.querySelector('video');
    if (v && v.getVideoPlaybackQuality().totalVideoFrames > 0) { window.__t.push(['frame', performance.now()]); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

async function health(): Promise<{ sessions: number; warmRuntimes?: number }> {
  return (await fetch(`${base}/healthz`)).json() as Promise<{ sessions: number; warmRuntimes?: number }>;
}

type Run = { clickToFrameMs: number; clickToStreamingMs: number; streamingToFrameMs: number; warm: boolean };

/** RUNS clicks on a fresh server of `checkout`, each once the previous session ended and a warm runtime is ready. */
async function measure(checkout: string, runs: number): Promise<Run[]> {
  const server = await startServer(
    PORT,
    { OFFLOAD_SESSION_IDLE_TIMEOUT_S: '1', OFFLOAD_RESUME_GRACE_S: '1' },
    checkout,
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
  const out: Run[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // The previous session has ended, and a warm runtime is ready (up to 60 s).
      let h = await health();
      for (let k = 0; k < 120 && (h.sessions > 0 || (h.warmRuntimes ?? 0) < 1); k++) {
        await new Promise((r) => setTimeout(r, 500));
        h = await health();
      }
      // A moment for the runtime's prepared sender (if the version has one) and the box to settle.
      await new Promise((r) => setTimeout(r, 1500));
      const warm = (h.warmRuntimes ?? 0) >= 1;
      const ctx = await browser.newContext({ permissions: VIEWER_PERMISSIONS });
      const page = await ctx.newPage();
      await page.goto(`${base}/`);
      await page.getByTestId('start-demo').waitFor();
      await page.evaluate(WATCH);
      let t0 = (await page.evaluate('performance.now()')) as number;
      await page.getByTestId('start-demo').click();
      let t: [string, number][] = [];
      for (let k = 0; k < 600; k++) {
        t = (await page.evaluate('window.__t')) as [string, number][];
        if (t.some(([s]) => s === 'frame')) break;
        await page.waitForTimeout(50);
      }
      const at = (s: string) => t.find(([x]) => x === s)?.[1] ?? Number.NaN;
      const clicked = at('click');
      if (!Number.isNaN(clicked)) t0 = clicked;
      const run = {
        clickToFrameMs: Math.round(at('frame') - t0),
        clickToStreamingMs: Math.round(at('streaming') - t0),
        streamingToFrameMs: Math.round(at('frame') - at('streaming')),
        warm,
      };
      out.push(run);
      console.log(
        `  click → first frame ${run.clickToFrameMs} ms (→ streaming ${run.clickToStreamingMs}, then ${run.streamingToFrameMs})` +
          `${warm ? '' : ' (no warm runtime)'} [${t.map(([s, x]) => `${s}@${Math.round(x - t0)}`).join(' ')}]`,
      );
      await page.evaluate('window.__offload.client.leave()').catch(() => {});
      await ctx.close();
    }
  } finally {
    await browser.close();
    await stopServer(server);
  }
  return out;
}

const runs: Record<string, Run[]> = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
const perRound = Math.ceil(RUNS / ROUNDS);
for (let r = 0; r < ROUNDS; r++) {
  for (const v of VARIANTS) {
    console.log(`round ${r + 1}, ${v.name}:`);
    runs[v.name]!.push(...(await measure(v.checkout, perRound)));
  }
}
const f = (s: { p50: number; p95: number }) => `p50 ${Math.round(s.p50)} / p95 ${Math.round(s.p95)} ms`;
const result = {
  at: new Date().toISOString(),
  runsPerVariant: perRound * ROUNDS,
  rounds: ROUNDS,
  variants: Object.fromEntries(
    VARIANTS.map((v) => {
      const rs = runs[v.name]!;
      const pick = (k: keyof Run) => summarize(rs.map((x) => x[k] as number));
      return [
        v.name,
        {
          checkout: v.checkout === root ? '(this one)' : v.checkout,
          clickToFirstFrameMs: pick('clickToFrameMs'),
          clickToStreamingMs: pick('clickToStreamingMs'),
          streamingToFirstFrameMs: pick('streamingToFrameMs'),
          raw: rs,
        },
      ];
    }),
  ),
};
mkdirSync(path.join(root, 'bench-results'), { recursive: true });
writeFileSync(path.join(root, 'bench-results/first-frame.json'), `${JSON.stringify(result, null, 2)}\n`);
for (const [name, v] of Object.entries(result.variants)) {
  console.log(
    `${name}: click → first frame ${f(v.clickToFirstFrameMs)} (→ streaming ${f(v.clickToStreamingMs)}, then ${f(v.streamingToFirstFrameMs)})`,
  );
}
