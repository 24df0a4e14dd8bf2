import { SEGMENTS, type Segment } from './segments.js';

/**
 * Budget profiles, as data. A budget = an application's end-to-end latency target (what
 * users tolerate) × an access network (what the radio/wire costs). Each source is cited.
 */

export interface NetworkProfile {
  id: string;
  name: string;
  /** Round trip between the device and the cloud edge (ms). */
  rttMs: number;
  /** Typical delay variation (ms). */
  jitterMs: number;
  /** Packet loss (%). */
  lossPct: number;
  /** Bandwidth device ← cloud and device → cloud (Mbit/s). */
  downlinkMbps: number;
  uplinkMbps: number;
  source: string;
}

export const NETWORK_PROFILES: Record<string, NetworkProfile> = {
  wired: {
    id: 'wired',
    name: 'Wired (fibre to a metro edge)',
    rttMs: 4,
    jitterMs: 0.5,
    lossPct: 0,
    downlinkMbps: 500,
    uplinkMbps: 100,
    // Typical FTTH access + metro transport to an edge site: a few ms round trip.
    source: 'typical FTTH to metro edge; no standard',
  },
  wifi: {
    id: 'wifi',
    name: 'Home Wi-Fi + broadband',
    rttMs: 12,
    jitterMs: 5,
    lossPct: 0.5,
    downlinkMbps: 100,
    uplinkMbps: 20,
    // Wi-Fi contention adds a few ms and most of the jitter on top of the wired path.
    source: 'typical 802.11ac home network over FTTH; no standard',
  },
  '4g': {
    id: '4g',
    name: 'LTE',
    rttMs: 40,
    jitterMs: 10,
    lossPct: 0.5,
    downlinkMbps: 30,
    uplinkMbps: 8,
    // 3GPP TR 36.913 targets 10 ms one-way user plane for LTE-Advanced; deployed networks
    // measure 30–50 ms round trips to the internet edge.
    source: '3GPP TR 36.913 (target) and field measurements (30–50 ms RTT)',
  },
  '5g': {
    id: '5g',
    name: '5G (eMBB)',
    rttMs: 8,
    jitterMs: 2,
    lossPct: 0.1,
    downlinkMbps: 300,
    uplinkMbps: 50,
    // ITU-R M.2410 (IMT-2020): 4 ms user-plane latency for eMBB; 3GPP TR 22.842: cloud
    // gaming round trip over the 5G system < 5 ms; plus a few ms to the edge.
    source: 'ITU-R M.2410 (IMT-2020 user plane 4 ms); 3GPP TR 22.842 (5GS round trip < 5 ms)',
  },
  '5g-a': {
    id: '5g-a',
    name: '5G-Advanced',
    rttMs: 4,
    jitterMs: 1,
    lossPct: 0.01,
    downlinkMbps: 3000,
    uplinkMbps: 500,
    // 5G-Advanced (3GPP Rel-18+): ~1 ms radio latency, ~10× 5G bandwidth (operators' and
    // vendors' stated targets), plus edge transport.
    source: '3GPP Rel-18 5G-Advanced targets: ~1 ms radio, ~10× bandwidth',
  },
};

export interface AppBudget {
  id: string;
  name: string;
  /** Input-to-photon target at p95 (ms). */
  totalMs: number;
  source: string;
}

export const APP_BUDGETS: Record<string, AppBudget> = {
  'gaming-competitive': {
    id: 'gaming-competitive',
    name: 'Competitive cloud gaming',
    totalMs: 50,
    source: 'industry figure for competitive play: ≤ 50 ms motion-to-photon',
  },
  'gaming-casual': {
    id: 'gaming-casual',
    name: 'Casual cloud gaming',
    totalMs: 100,
    source: 'industry figure for casual play: ≤ 100 ms',
  },
  'cloud-phone': {
    id: 'cloud-phone',
    name: 'Cloud phone interaction',
    totalMs: 150,
    source: "China Mobile's cloud-phone figure: ≤ 150 ms end to end",
  },
};

export interface Budget {
  id: string;
  app: AppBudget;
  network: NetworkProfile;
  totalMs: number;
  /** Allowance per segment (ms); they add up to totalMs when the budget is feasible. */
  allowances: Record<Segment, number>;
  /** False when the access network alone needs more than the whole budget (e.g. competitive gaming over LTE). */
  feasible: boolean;
}

/** How the part of the budget the network does not take is shared among the other segments. */
const COMPUTE_SHARE: Partial<Record<Segment, number>> = {
  inject: 0.08,
  renderCapture: 0.42,
  encode: 0.15,
  decode: 0.12,
  render: 0.23,
};

/** Bytes of a typical inter frame at 3 Mbit/s and 30 fps. */
const FRAME_BYTES = 12_500;

/**
 * Splits an app budget over the segments: uplink, network (incl. one frame's serialisation
 * at the downlink rate) and jitter buffer get what the access network needs; the rest is
 * shared by server and client compute in fixed proportions.
 */
export function makeBudget(appId: string, networkId: string): Budget {
  const app = APP_BUDGETS[appId];
  const network = NETWORK_PROFILES[networkId];
  if (!app) throw new TypeError(`unknown app budget "${appId}" (${Object.keys(APP_BUDGETS).join(', ')})`);
  if (!network)
    throw new TypeError(
      `unknown network profile "${networkId}" (${Object.keys(NETWORK_PROFILES).join(', ')})`,
    );
  const serialisation = (FRAME_BYTES * 8) / (network.downlinkMbps * 1000);
  const uplink = network.rttMs / 2 + network.jitterMs + 1;
  const net = network.rttMs / 2 + network.jitterMs + 2 + serialisation;
  const jitterBuffer = network.jitterMs + 5;
  const rest = app.totalMs - uplink - net - jitterBuffer;
  const allowances = Object.fromEntries(
    SEGMENTS.map((s) => {
      if (s === 'uplink') return [s, uplink];
      if (s === 'network') return [s, net];
      if (s === 'jitterBuffer') return [s, jitterBuffer];
      return [s, Math.max(0, rest) * (COMPUTE_SHARE[s] ?? 0)];
    }),
  ) as Record<Segment, number>;
  return { id: `${appId}@${networkId}`, app, network, totalMs: app.totalMs, allowances, feasible: rest > 0 };
}

/** Every app budget × network profile. */
export function allBudgets(): Budget[] {
  return Object.keys(APP_BUDGETS).flatMap((a) => Object.keys(NETWORK_PROFILES).map((n) => makeBudget(a, n)));
}

export interface SegmentVerdict {
  segment: Segment;
  p95: number;
  allowance: number;
  pass: boolean;
}

export interface BudgetVerdict {
  budget: string;
  pass: boolean;
  total: { p95: number; allowance: number; pass: boolean };
  segments: SegmentVerdict[];
  /** The segment furthest over (or nearest to) its allowance: p95 / allowance is largest. */
  burnsMost: Segment;
}

/** Judges measured p95s (ms) against a budget. Segments count as passing while unmeasured (NaN). */
export function evaluateBudget(
  budget: Budget,
  p95: { total: number; segments: Record<Segment, number> },
): BudgetVerdict {
  const segments = SEGMENTS.map((segment) => {
    const v = p95.segments[segment];
    const allowance = budget.allowances[segment];
    return { segment, p95: v, allowance, pass: !(v > allowance) };
  });
  const ratio = (s: SegmentVerdict) => (Number.isNaN(s.p95) ? -1 : s.p95 / Math.max(s.allowance, 0.001));
  const burnsMost = segments.reduce((a, b) => (ratio(b) > ratio(a) ? b : a)).segment;
  const totalPass = !(p95.total > budget.totalMs);
  return {
    budget: budget.id,
    pass: totalPass && segments.every((s) => s.pass),
    total: { p95: p95.total, allowance: budget.totalMs, pass: totalPass },
    segments,
    burnsMost,
  };
}
