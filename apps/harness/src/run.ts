import {
  APP_BUDGETS,
  type BudgetVerdict,
  evaluateBudget,
  type LatencySample,
  makeBudget,
  NETWORK_PROFILES,
  SEGMENTS,
  type Segment,
  type Summary,
  summarize,
} from '@offload/latency';
import {
  CHROMIUM_PATH,
  latencySamples,
  startServer,
  stopServer,
  VIEWER_CHROMIUM_ARGS,
  VIEWER_PERMISSIONS,
  waitForStreaming,
} from '@offload/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { EmulatedProfile } from './profiles.js';
import { UdpRelay } from './relay/UdpRelay.js';
import { FRAME_TIMELINE_SCRIPT, type Scenario, step } from './scenarios.js';

export interface HarnessOptions {
  profiles: EmulatedProfile[];
  clients: number;
  durationMs: number;
  scenario: Scenario;
  /** App budget judged against each profile's network budget (e.g. "cloud-phone"). */
  app: string;
  /** HTTP port of the server the harness starts; its RTC port is port + 30000. */
  port: number;
  progress: (line: string) => void;
}

export interface ClientResult {
  samples: LatencySample[];
  frames: number;
  fps: number;
  freezes: number;
  frozenMs: number;
  bitrateKbps: number | null;
  packetsLost: number;
  rttMs: number | null;
}

export interface ProfileResult {
  profile: { id: string; name: string; addedRttMs: number };
  budget: string;
  clients: ClientResult[];
  total: Summary;
  segments: Record<Segment, Summary>;
  verdict: BudgetVerdict;
  feasible: boolean;
  /** Per second since the start: p50 of samples sent in that second, and frozen ms. */
  timeline: { t: number; p50: number | null; frozenMs: number }[];
  relay: { upLost: number; downLost: number; up: number; down: number };
}

export interface HarnessResult {
  at: string;
  options: { clients: number; durationMs: number; scenario: Scenario; app: string };
  profiles: ProfileResult[];
  pass: boolean;
}

/** Address the server announces and the relay listens on: loopback, but not the server's. */
const RELAY_ADDRESS = '127.0.0.2';
const FREEZE_MS = 200;

interface ClientPage {
  page: Page;
  startedAt: number;
}

export async function runHarness(o: HarnessOptions): Promise<HarnessResult> {
  if (!APP_BUDGETS[o.app])
    throw new TypeError(`unknown app budget "${o.app}" (${Object.keys(APP_BUDGETS).join(', ')})`);
  const rtcPort = o.port + 30000;
  // The server announces the relay's address: every client's media and data channels go
  // through it, signaling (TCP) goes direct.
  const server = await startServer(o.port, {
    OFFLOAD_RTC_PORT: String(rtcPort),
    OFFLOAD_RTC_ANNOUNCED_ADDRESS: RELAY_ADDRESS,
    OFFLOAD_SESSION_IDLE_TIMEOUT_S: '5',
    OFFLOAD_MAX_SESSIONS: '8',
    OFFLOAD_WORKERS: '1',
  });
  const relay = await UdpRelay.start({
    listen: { address: RELAY_ADDRESS, port: rtcPort },
    target: { address: '127.0.0.1', port: rtcPort },
    upstreamAddress: '127.0.0.3',
  });
  const results: ProfileResult[] = [];
  try {
    for (const profile of o.profiles) {
      relay.setImpairments(profile.up, profile.down);
      const before = { ...relay.counts };
      o.progress(`profile ${profile.id}: ${profile.name}`);
      const clients = await runProfile(o, profile);
      const relayCounts = {
        up: relay.counts.up - before.up,
        down: relay.counts.down - before.down,
        upLost: relay.counts.upLost - before.upLost,
        downLost: relay.counts.downLost - before.downLost,
      };
      results.push(summarizeProfile(o, profile, clients, relayCounts));
      const r = results.at(-1)!;
      o.progress(
        `profile ${profile.id}: ${r.total.count} samples, p50 ${fmt(r.total.p50)} ms, p95 ${fmt(r.total.p95)} ms → ${r.verdict.pass ? 'PASS' : 'FAIL'} (${r.budget})`,
      );
    }
  } finally {
    relay.close();
    await stopServer(server);
  }
  return {
    at: new Date().toISOString(),
    options: { clients: o.clients, durationMs: o.durationMs, scenario: o.scenario, app: o.app },
    profiles: results,
    pass: results.every((r) => r.verdict.pass),
  };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

async function runProfile(
  o: HarnessOptions,
  profile: EmulatedProfile,
): Promise<{ pages: ClientResult[]; startedAt: number; frames: number[][]; samples: LatencySample[][] }> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: VIEWER_CHROMIUM_ARGS,
  });
  try {
    const base = `http://127.0.0.1:${o.port}`;
    const open = async (url: string): Promise<ClientPage> => {
      const page = await (await browser.newContext({ permissions: VIEWER_PERMISSIONS })).newPage();
      await page.addInitScript(FRAME_TIMELINE_SCRIPT);
      await page.goto(url);
      return { page, startedAt: Date.now() };
    };
    const first = await open(base);
    await first.page.getByTestId('start-demo').click();
    await waitForStreaming(first.page, 60_000);
    const sessionId = new URL(first.page.url()).searchParams.get('session')!;
    const others = await Promise.all(
      Array.from({ length: o.clients - 1 }, () => open(`${base}/?session=${sessionId}`)),
    );
    await Promise.all(others.map((c) => waitForStreaming(c.page, 60_000)));
    const clients = [first, ...others];
    // Let clock sync settle before measuring.
    await first.page.waitForTimeout(1500);
    const startedAt = Date.now();
    const deadline = startedAt + o.durationMs;
    const ticker = setInterval(async () => {
      const n = (await Promise.all(clients.map((c) => latencySamples(c.page).catch(() => [])))).flat();
      const p50 = summarize(n.map((s) => s.total)).p50;
      o.progress(
        `  ${profile.id}: ${Math.round((Date.now() - startedAt) / 1000)}/${Math.round(o.durationMs / 1000)} s, ${n.length} samples, p50 ${fmt(p50)} ms`,
      );
    }, 5000);
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; Date.now() < deadline; i++) await step(c.page, o.scenario, i);
      }),
    );
    clearInterval(ticker);
    await first.page.waitForTimeout(1500); // late samples and the last report
    const frames = await Promise.all(
      clients.map((c) => c.page.evaluate(() => (window as unknown as { __frames: number[] }).__frames)),
    );
    const samples = await Promise.all(clients.map((c) => latencySamples(c.page)));
    const pages = await Promise.all(
      clients.map((c, i) => clientResult(c.page, samples[i]!, frames[i]!, startedAt, deadline)),
    );
    return { pages, startedAt, frames, samples };
  } finally {
    await browser.close();
  }
}

function freezes(
  frames: number[],
  from: number,
  to: number,
): { count: number; ms: number; gaps: [number, number][] } {
  const inside = frames.filter((t) => t >= from && t <= to);
  const gaps: [number, number][] = [];
  for (let i = 1; i < inside.length; i++) {
    const gap = inside[i]! - inside[i - 1]!;
    if (gap > FREEZE_MS) gaps.push([inside[i - 1]!, inside[i]!]);
  }
  return { count: gaps.length, ms: gaps.reduce((a, [s, e]) => a + e - s, 0), gaps };
}

async function clientResult(
  page: Page,
  samples: LatencySample[],
  frames: number[],
  from: number,
  to: number,
): Promise<ClientResult> {
  const stats = await page.evaluate(() => {
    const s = (
      window as unknown as { __offload: { store: { getState(): { media: { stats: unknown } } } } }
    ).__offload.store.getState().media.stats as {
      bitrateKbps: number | null;
      packetsLost: number;
      rttMs: number | null;
    } | null;
    return s;
  });
  const f = freezes(frames, from, to);
  const inside = frames.filter((t) => t >= from && t <= to).length;
  return {
    samples: samples.filter((s) => s.sentAt >= from),
    frames: inside,
    fps: inside / ((to - from) / 1000),
    freezes: f.count,
    frozenMs: Math.round(f.ms),
    bitrateKbps: stats?.bitrateKbps ?? null,
    packetsLost: stats?.packetsLost ?? 0,
    rttMs: stats?.rttMs ?? null,
  };
}

function summarizeProfile(
  o: HarnessOptions,
  profile: EmulatedProfile,
  run: Awaited<ReturnType<typeof runProfile>>,
  relay: ProfileResult['relay'],
): ProfileResult {
  const samples = run.pages.flatMap((c) => c.samples);
  const total = summarize(samples.map((s) => s.total));
  const segments = Object.fromEntries(
    SEGMENTS.map((s) => [s, summarize(samples.map((x) => x.segments[s]))]),
  ) as Record<Segment, Summary>;
  const network = NETWORK_PROFILES[profile.id] ? profile.id : 'wired';
  const budget = makeBudget(o.app, network);
  const verdict = evaluateBudget(budget, {
    total: total.p95,
    segments: Object.fromEntries(SEGMENTS.map((s) => [s, segments[s].p95])) as Record<Segment, number>,
  });
  const seconds = Math.ceil(o.durationMs / 1000);
  const timeline = Array.from({ length: seconds }, (_, t) => {
    const lo = run.startedAt + t * 1000;
    const inSecond = samples.filter((s) => s.sentAt >= lo && s.sentAt < lo + 1000).map((s) => s.total);
    const frozen = run.frames.reduce((a, f) => a + freezes(f, lo, lo + 1000).ms, 0) / run.frames.length;
    return { t, p50: inSecond.length ? summarize(inSecond).p50 : null, frozenMs: Math.round(frozen) };
  });
  return {
    profile: { id: profile.id, name: profile.name, addedRttMs: profile.addedRttMs },
    budget: budget.id,
    clients: run.pages,
    total,
    segments,
    verdict: budget.feasible ? verdict : { ...verdict, pass: false },
    feasible: budget.feasible,
    timeline,
    relay,
  };
}
