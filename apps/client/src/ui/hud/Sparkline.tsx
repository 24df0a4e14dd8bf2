/** The last totals as a line, with the budget's total as a dashed line (SVG, no library). */
export function Sparkline({ values, budgetMs }: { values: readonly number[]; budgetMs: number }) {
  const W = 100;
  const H = 28;
  const top = Math.max(budgetMs, ...values) * 1.1 || 1;
  const y = (v: number) => H - (Math.max(0, v) / top) * H;
  const step = values.length > 1 ? W / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(2)},${y(v).toFixed(2)}`).join(' ');
  return (
    <svg
      className="hud-chart"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label="Recent totals"
    >
      <line x1="0" x2={W} y1={y(budgetMs)} y2={y(budgetMs)} className="hud-budget-line" />
      {values.length > 1 && (
        <polyline points={points} className="hud-line" vectorEffect="non-scaling-stroke" />
      )}
    </svg>
  );
}
