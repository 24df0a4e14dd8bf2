import { SEGMENT_INFO, SEGMENTS } from '@offload/latency';
import type { HarnessResult, ProfileResult } from '../run.js';
import { COLORS, esc, frame, scale, ticks } from './svg.js';

const fmt = (x: number | null | undefined, d = 1) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d);

/** CDF of input-to-photon, one line per profile. */
function cdf(profiles: ProfileResult[]): string {
  const all = profiles.flatMap((p) => p.clients.flatMap((c) => c.samples.map((s) => s.total)));
  const xmax = Math.max(50, ...profiles.map((p) => (Number.isFinite(p.total.p99) ? p.total.p99 : 0))) * 1.1;
  const x = { min: 0, max: xmax, px: 620 };
  const y = { min: 0, max: 1, px: 260 };
  const lines = profiles
    .map((p, i) => {
      const v = p.clients.flatMap((c) => c.samples.map((s) => s.total)).sort((a, b) => a - b);
      if (!v.length) return '';
      const pts = v.map(
        (t, k) =>
          `${scale(x, Math.min(t, xmax)).toFixed(1)},${(y.px - scale(y, (k + 1) / v.length)).toFixed(1)}`,
      );
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="0,${y.px} ${pts.join(' ')}"/>`;
    })
    .join('');
  return frame({
    width: 700,
    height: 310,
    x,
    y,
    xLabel: `input-to-photon (ms), ${all.length} samples`,
    yLabel: 'share of inputs',
    xTicks: ticks(xmax),
    yTicks: [0, 0.25, 0.5, 0.75, 1],
    body: lines,
    legend: profiles.map((p, i) => ({ label: p.profile.id, color: COLORS[i % COLORS.length]! })),
  });
}

/** Stacked p50 segments per profile, with the budget and the measured p95 total. */
function stacked(profiles: ProfileResult[]): string {
  const rowH = 28;
  const max =
    Math.max(
      ...profiles.map((p) =>
        Math.max(p.verdict.total.allowance, Number.isFinite(p.total.p95) ? p.total.p95 : 0),
      ),
    ) * 1.1;
  const x = { min: 0, max, px: 560 };
  const y = { min: 0, max: profiles.length, px: profiles.length * rowH };
  const rows = profiles
    .map((p, r) => {
      let acc = 0;
      const bars = SEGMENTS.map((s, i) => {
        const v = Math.max(0, p.segments[s].p50 || 0);
        const rect = `<rect x="${scale(x, acc)}" y="${r * rowH + 4}" width="${Math.max(0, scale(x, acc + v) - scale(x, acc))}" height="${rowH - 8}" fill="${COLORS[i % COLORS.length]}"><title>${s}: ${fmt(v)} ms</title></rect>`;
        acc += v;
        return rect;
      }).join('');
      const budget = `<line x1="${scale(x, p.verdict.total.allowance)}" x2="${scale(x, p.verdict.total.allowance)}" y1="${r * rowH}" y2="${r * rowH + rowH}" stroke="#d62728" stroke-width="2" stroke-dasharray="4 2"/>`;
      const p95 = Number.isFinite(p.total.p95)
        ? `<circle cx="${scale(x, p.total.p95)}" cy="${r * rowH + rowH / 2}" r="4" fill="#222"><title>p95 ${fmt(p.total.p95)} ms</title></circle>`
        : '';
      return `${bars}${budget}${p95}<text x="-6" y="${r * rowH + rowH / 2 + 4}" class="tick" text-anchor="end">${esc(p.profile.id)}</text>`;
    })
    .join('');
  return frame({
    width: 700,
    height: profiles.length * rowH + 60,
    x,
    y,
    xLabel: 'ms — bars: p50 of each segment, stacked; dot: p95 total; dashed: budget',
    yLabel: '',
    xTicks: ticks(max),
    yTicks: [],
    body: rows,
  });
}

/** Per profile: p50 per second (line) and frozen ms per second (red bars). */
function timeline(p: ProfileResult): string {
  const secs = p.timeline.length;
  const max = Math.max(50, ...p.timeline.map((t) => t.p50 ?? 0), ...p.timeline.map((t) => t.frozenMs)) * 1.1;
  const x = { min: 0, max: Math.max(1, secs), px: 620 };
  const y = { min: 0, max, px: 120 };
  const bars = p.timeline
    .filter((t) => t.frozenMs > 0)
    .map(
      (t) =>
        `<rect x="${scale(x, t.t)}" y="${y.px - scale(y, t.frozenMs)}" width="${scale(x, 1) - 1}" height="${scale(y, t.frozenMs)}" fill="#e45756" opacity="0.6"><title>${t.frozenMs} ms frozen</title></rect>`,
    )
    .join('');
  const pts = p.timeline
    .filter((t) => t.p50 !== null)
    .map((t) => `${scale(x, t.t + 0.5).toFixed(1)},${(y.px - scale(y, t.p50!)).toFixed(1)}`)
    .join(' ');
  return frame({
    width: 700,
    height: 170,
    x,
    y,
    xLabel: `${p.profile.id}: seconds — line: p50 input-to-photon; red: ms frozen (no frame for > 200 ms)`,
    yLabel: 'ms',
    xTicks: ticks(secs),
    yTicks: ticks(max, 3),
    body: `${bars}<polyline fill="none" stroke="#4c78a8" stroke-width="2" points="${pts}"/>`,
  });
}

function table(result: HarnessResult): string {
  const loop = result.profiles.find((p) => p.profile.id === 'loopback');
  const base = loop?.total.p50;
  // The emulated delay lands in the segments that cross the network: uplink and network.
  const path = (p: ProfileResult) => p.segments.uplink.p50 + p.segments.network.p50;
  const rows = result.profiles
    .map((p) => {
      const mean = (f: (c: ProfileResult['clients'][number]) => number | null) => {
        const v = p.clients.map(f).filter((x): x is number => x !== null);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
      };
      const shift = base !== undefined ? p.total.p50 - base : null;
      const pathShift = loop ? path(p) - path(loop) : null;
      const verdict = !p.feasible ? 'FAIL (infeasible)' : p.verdict.pass ? 'PASS' : 'FAIL';
      return `<tr><td>${esc(p.profile.id)}</td><td>${p.profile.addedRttMs}</td><td>${fmt(pathShift)}</td><td>${fmt(shift)}</td><td>${p.total.count}</td><td>${fmt(p.total.p50)}</td><td>${fmt(p.total.p95)}</td><td>${fmt(p.total.p99)}</td><td>${fmt(mean((c) => c.fps))}</td><td>${p.clients.reduce((a, c) => a + c.freezes, 0)}</td><td>${fmt(
        mean((c) => c.bitrateKbps),
        0,
      )}</td><td>${fmt(mean((c) => c.rttMs))}</td><td>${p.relay.downLost}/${p.relay.down}</td><td class="${p.verdict.pass ? 'pass' : 'fail'}">${verdict}</td><td>${esc(p.verdict.burnsMost)}</td></tr>`;
    })
    .join('');
  return `<table><thead><tr><th>profile</th><th>added RTT (ms, configured)</th><th>uplink + network p50 shift vs loopback (ms, measured)</th><th>total p50 shift vs loopback (ms, measured)</th><th>samples</th><th>p50</th><th>p95</th><th>p99</th><th>fps</th><th>freezes</th><th>kbit/s</th><th>RTT (ms)</th><th>lost down</th><th>budget at p95</th><th>burns most</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function segmentsTable(result: HarnessResult): string {
  const head = SEGMENTS.map(
    (s) => `<th title="${esc(SEGMENT_INFO[s].description)}">${esc(SEGMENT_INFO[s].label)}</th>`,
  ).join('');
  const rows = result.profiles
    .map(
      (p) =>
        `<tr><td>${esc(p.profile.id)}</td>${SEGMENTS.map((s) => `<td class="${p.verdict.segments.find((v) => v.segment === s)?.pass ? '' : 'fail'}">${fmt(p.segments[s].p95)} / ${fmt(p.verdict.segments.find((v) => v.segment === s)?.allowance)}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table><thead><tr><th>p95 / allowance (ms)</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderHtml(result: HarnessResult): string {
  const o = result.options;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Offload latency harness — ${esc(result.at)}</title><style>
body{font:14px/1.4 'DejaVu Sans',sans-serif;margin:24px;color:#222;max-width:1000px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f4f4f4}td:first-child{text-align:left}
.pass{color:#2a7a2a;font-weight:bold}.fail{color:#c0392b;font-weight:bold}
.grid{stroke:#eee}.tick{font-size:11px;fill:#555}.label{font-size:12px;fill:#333}.legend{font-size:12px;fill:#333}
.summary{font-size:16px;margin:8px 0}
</style></head><body>
<h1>Offload latency harness</h1>
<div>${esc(result.at)} · ${o.clients} client(s) · ${Math.round(o.durationMs / 1000)} s per profile · scenario <b>${esc(o.scenario)}</b> · app budget <b>${esc(o.app)}</b></div>
<div class="summary">Overall: <span class="${result.pass ? 'pass' : 'fail'}">${result.pass ? 'PASS' : 'FAIL'}</span></div>
${table(result)}
<h2>Input-to-photon, cumulative distribution</h2>${cdf(result.profiles)}
<h2>Where the time goes, against the budget</h2>${stacked(result.profiles)}
<div>${SEGMENTS.map((s, i) => `<span style="display:inline-block;width:10px;height:10px;background:${COLORS[i % COLORS.length]}"></span> ${esc(SEGMENT_INFO[s].label)}`).join(' &nbsp; ')}</div>
${segmentsTable(result)}
<h2>Timeline</h2>${result.profiles.map(timeline).join('')}
</body></html>`;
}
