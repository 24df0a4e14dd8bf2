import type { HistogramBucket } from '@offload/latency';

/** Counts per latency bucket (LATENCY_BUCKETS_MS + overflow) as bars, equal width per bucket. */
export function HistogramChart({
  buckets,
  budgetMs,
}: {
  buckets: readonly HistogramBucket[];
  budgetMs: number;
}) {
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const w = 100 / buckets.length;
  return (
    <div className="hud-histogram">
      <svg
        className="hud-chart"
        viewBox="0 0 100 24"
        preserveAspectRatio="none"
        role="img"
        aria-label="Histogram of totals"
      >
        {buckets.map((b, i) => {
          const h = (b.count / max) * 24;
          const over = b.le > budgetMs;
          return (
            <rect
              key={b.le}
              x={i * w + 0.3}
              y={24 - h}
              width={w - 0.6}
              height={h}
              className={over ? 'over' : 'under'}
            >
              <title>{`≤ ${Number.isFinite(b.le) ? b.le : '∞'} ms: ${b.count}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="hud-axis">
        <span>{buckets[0]?.le ?? 0}</span>
        <span>{buckets[Math.floor(buckets.length / 2)]?.le}</span>
        <span>∞ ms</span>
      </div>
    </div>
  );
}
