/** Nearest-rank percentile of `values` (p in 0..100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError('p must be within 0..100');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export interface Summary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) {
    return {
      count: 0,
      min: Number.NaN,
      mean: Number.NaN,
      p50: Number.NaN,
      p95: Number.NaN,
      p99: Number.NaN,
      max: Number.NaN,
    };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: sorted[sorted.length - 1]!,
  };
}

/** Upper bucket edges (ms) shared by client histograms and the server's Prometheus histograms. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000];

export interface HistogramBucket {
  /** Upper edge (ms); Infinity for the overflow bucket. */
  le: number;
  count: number;
}

/** Counts per bucket (not cumulative), edges as LATENCY_BUCKETS_MS plus an overflow bucket. */
export function histogram(
  values: readonly number[],
  edges: readonly number[] = LATENCY_BUCKETS_MS,
): HistogramBucket[] {
  const buckets = [...edges, Number.POSITIVE_INFINITY].map((le) => ({ le, count: 0 }));
  for (const v of values) {
    const b = buckets.find((x) => v <= x.le);
    if (b) b.count++;
  }
  return buckets;
}

/** The most recent `capacity` samples, oldest dropped first. */
export class RollingWindow<T> {
  #items: T[] = [];

  constructor(readonly capacity = 1000) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > this.capacity) this.#items.splice(0, this.#items.length - this.capacity);
  }

  get items(): readonly T[] {
    return this.#items;
  }

  get size(): number {
    return this.#items.length;
  }

  clear(): void {
    this.#items = [];
  }
}
