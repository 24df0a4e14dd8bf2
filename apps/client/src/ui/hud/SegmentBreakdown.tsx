import {
  type Budget,
  type BudgetVerdict,
  SEGMENT_INFO,
  SEGMENTS,
  type Segment,
  type Summary,
} from '@offload/latency';
import { fmtMs, SEGMENT_COLOURS } from './format';
import { StackedBar } from './StackedBar';

/** Per-segment p95 as a stacked bar over the budget's allowances, with a row per segment. */
export function SegmentBreakdown({
  segments,
  budget,
  verdict,
}: {
  segments: Record<Segment, Summary>;
  budget: Budget;
  verdict: BudgetVerdict | null;
}) {
  const measured = SEGMENTS.map((segment) => ({ segment, ms: segments[segment].p95 }));
  const allowed = SEGMENTS.map((segment) => ({ segment, ms: budget.allowances[segment] }));
  // Unmeasured (NaN) and negative (clock-skewed) parts take no room.
  const sum = measured.reduce((a, p) => a + (Number.isFinite(p.ms) ? Math.max(p.ms, 0) : 0), 0);
  const scale = Math.max(budget.totalMs, sum);
  const pass = new Map(verdict?.segments.map((s) => [s.segment, s.pass]));
  return (
    <section className="hud-segments">
      <div className="hud-bar-row">
        <span>p95</span>
        <StackedBar parts={measured} scaleMs={scale} label="Measured p95 per segment" />
      </div>
      <div className="hud-bar-row">
        <span>budget</span>
        <StackedBar parts={allowed} scaleMs={scale} label="Budget allowance per segment" />
      </div>
      <table>
        <tbody>
          {SEGMENTS.map((s) => {
            const ok = pass.get(s);
            return (
              <tr key={s} title={SEGMENT_INFO[s].description} data-segment={s}>
                <td>
                  <i style={{ background: SEGMENT_COLOURS[s] }} />
                  {SEGMENT_INFO[s].label}
                </td>
                <td className="num">{fmtMs(segments[s].p95)}</td>
                <td className="num muted">/ {fmtMs(budget.allowances[s])}</td>
                <td className={ok === undefined ? 'muted' : ok ? 'pass' : 'fail'}>
                  {ok === undefined ? '' : ok ? '✓' : '✗'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
