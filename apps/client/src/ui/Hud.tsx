import { SEGMENT_INFO } from '@offload/latency';
import { BudgetPicker } from './hud/BudgetPicker';
import { fmtMs } from './hud/format';
import { HistogramChart } from './hud/HistogramChart';
import { SegmentBreakdown } from './hud/SegmentBreakdown';
import { Sparkline } from './hud/Sparkline';
import { useOffload } from './OffloadContext';

const CHART_SAMPLES = 100;

/**
 * The latency HUD: input-to-photon percentiles, the per-segment breakdown against the chosen
 * budget, recent totals, a histogram and the stream's numbers. Mounted only while visible;
 * reads the store, which the monitor updates at most 4 times a second.
 */
export function Hud() {
  const l = useOffload((s) => s.latency);
  const stats = useOffload((s) => s.media.stats);
  const toggleHud = useOffload((s) => s.toggleHud);
  const { summary, verdict, budget, clock } = l;
  const last = l.samples.at(-1);
  const recent = l.samples.slice(-CHART_SAMPLES).map((s) => s.total);
  // Samples whose photon is only bracketed: this page missed frames (too busy to read them all).
  const gapped = l.samples.filter((s) => s.frameGap > 0).length;

  return (
    <aside className="hud" data-testid="hud" aria-label="Latency HUD">
      <header>
        <strong>Input → photon</strong>
        <span className="muted">
          <span data-testid="hud-samples">{l.samples.length}</span> samples
        </span>
        <button
          type="button"
          className="hud-close"
          aria-label="Close the HUD (Alt+Shift+L)"
          onClick={toggleHud}
        >
          ×
        </button>
      </header>
      {!l.enabled && <p className="muted">Latency monitor off (?latency=0).</p>}

      <div className="hud-percentiles">
        <span>
          p50 <b data-testid="hud-p50">{fmtMs(summary.total.p50)}</b>
        </span>
        <span>
          p95 <b data-testid="hud-p95">{fmtMs(summary.total.p95)}</b>
        </span>
        <span>
          p99 <b data-testid="hud-p99">{fmtMs(summary.total.p99)}</b>
        </span>
        <span>
          last <b data-testid="hud-last">{fmtMs(last?.total)}</b> ms
        </span>
      </div>

      <div className="hud-verdict-row">
        {verdict ? (
          <span
            data-testid="hud-verdict"
            data-pass={String(verdict.pass)}
            className={verdict.pass ? 'pass' : 'fail'}
          >
            {verdict.pass ? 'PASS' : 'FAIL'} at p95 ({fmtMs(verdict.total.p95)} / {budget.totalMs} ms)
          </span>
        ) : (
          <span data-testid="hud-verdict" className="muted">
            waiting for samples
          </span>
        )}
        {!budget.feasible && (
          <span
            className="fail"
            data-testid="hud-infeasible"
            title="The network alone needs more than the budget"
          >
            infeasible
          </span>
        )}
        {verdict && (
          <span>
            burns most:{' '}
            <b data-testid="hud-burns-most" data-segment={verdict.burnsMost}>
              {SEGMENT_INFO[verdict.burnsMost].label}
            </b>
          </span>
        )}
      </div>

      <SegmentBreakdown segments={summary.segments} budget={budget} verdict={verdict} />
      <p className="muted">
        residual {fmtMs(summary.residual.p95)} ms · clock ±{fmtMs(clock?.errorBound)} ms
        {clock ? ` (rtt ${fmtMs(clock.rtt)})` : ' (not synced)'}
        {gapped > 0 && (
          <span
            data-testid="hud-frame-gaps"
            title="Frames went by without this page reading them (a busy device): these samples may be up to their frame gap too high"
          >
            {' '}
            · {gapped} with missed frames
          </span>
        )}
      </p>

      <Sparkline values={recent} budgetMs={budget.totalMs} />
      <HistogramChart buckets={l.histogram} budgetMs={budget.totalMs} />

      <p className="hud-stream muted" data-testid="hud-stream">
        {stats?.fps ?? '–'} fps · {stats?.bitrateKbps ?? '–'} kb/s · lost {stats?.packetsLost ?? '–'} · RTT{' '}
        {fmtMs(stats?.rttMs)} ms · {stats?.codec?.replace(/^video\//, '') ?? '–'} ·{' '}
        {stats?.width != null ? `${stats.width}×${stats.height}` : '–'}
      </p>
      <BudgetPicker />
    </aside>
  );
}
