import {
  type Budget,
  type BudgetVerdict,
  evaluateBudget,
  histogram,
  type LatencySample,
  makeBudget,
  SEGMENTS,
  type Segment,
  type Summary,
  summarize,
} from '@offload/latency';
import type { StateCreator } from 'zustand/vanilla';
import { type KeyValueStorage, loadBudgetChoice, saveBudgetChoice } from './budgetStorage';
import type { LatencySlice, LatencyState, LatencySummary, OffloadStore } from './types';

export type { LatencySlice, LatencyState, LatencySummary } from './types';

export function summariseSamples(samples: readonly LatencySample[]): LatencySummary {
  return {
    total: summarize(samples.map((s) => s.total)),
    residual: summarize(samples.map((s) => s.residual)),
    segments: Object.fromEntries(
      SEGMENTS.map((seg) => [seg, summarize(samples.map((s) => s.segments[seg]))]),
    ) as Record<Segment, Summary>,
  };
}

export function judge(budget: Budget, summary: LatencySummary): BudgetVerdict | null {
  if (summary.total.count === 0) return null;
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, summary.segments[s].p95])) as Record<
    Segment,
    number
  >;
  return evaluateBudget(budget, { total: summary.total.p95, segments });
}

const EMPTY = summariseSamples([]);

function emptyData(): Pick<
  LatencyState,
  'samples' | 'summary' | 'histogram' | 'clock' | 'counts' | 'verdict'
> {
  return { samples: [], summary: EMPTY, histogram: histogram([]), clock: null, counts: null, verdict: null };
}

/** The latency slice; the budget choice is read from and saved to `storage`. */
export function createLatencySlice(
  storage: KeyValueStorage | null,
): StateCreator<OffloadStore, [], [], LatencySlice> {
  return (set) => {
    const choice = loadBudgetChoice(storage);
    return {
      latency: {
        enabled: true,
        ...emptyData(),
        choice,
        budget: makeBudget(choice.app, choice.network),
        hudVisible: false,
      },
      setLatencyEnabled: (enabled) => set((s) => ({ latency: { ...s.latency, enabled } })),
      setLatencySamples: (samples) =>
        set((s) => {
          const summary = summariseSamples(samples);
          return {
            latency: {
              ...s.latency,
              samples: [...samples],
              summary,
              histogram: histogram(samples.map((x) => x.total)),
              verdict: judge(s.latency.budget, summary),
            },
          };
        }),
      setLatencyStatus: ({ clock, counts }) => set((s) => ({ latency: { ...s.latency, clock, counts } })),
      setBudgetChoice: (partial) =>
        set((s) => {
          const choice = { ...s.latency.choice, ...partial };
          const budget = makeBudget(choice.app, choice.network);
          saveBudgetChoice(storage, choice);
          return { latency: { ...s.latency, choice, budget, verdict: judge(budget, s.latency.summary) } };
        }),
      setHudVisible: (hudVisible) => set((s) => ({ latency: { ...s.latency, hudVisible } })),
      toggleHud: () => set((s) => ({ latency: { ...s.latency, hudVisible: !s.latency.hudVisible } })),
      resetLatency: () => set((s) => ({ latency: { ...s.latency, ...emptyData() } })),
    };
  };
}
