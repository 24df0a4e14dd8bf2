/** Tiny SVG chart helpers: no chart library, the report must render offline. */

export const COLORS = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
];

export const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface Axis {
  min: number;
  max: number;
  px: number;
}

export const scale = (a: Axis, v: number) => ((v - a.min) / (a.max - a.min || 1)) * a.px;

export function ticks(max: number, n = 5): number[] {
  const raw = max / n;
  const mag = 10 ** Math.floor(Math.log10(raw || 1));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}

/** A frame with x/y axes, grid and labels; `body` draws inside a (w × h) plot at (left, top). */
export function frame(opts: {
  width: number;
  height: number;
  x: Axis;
  y: Axis;
  xLabel: string;
  yLabel: string;
  xTicks: number[];
  yTicks: number[];
  yFormat?: (v: number) => string;
  body: string;
  legend?: { label: string; color: string }[];
}): string {
  const L = 56;
  const T = 12;
  const { x, y } = opts;
  const grid = [
    ...opts.xTicks.map(
      (v) =>
        `<line x1="${L + scale(x, v)}" y1="${T}" x2="${L + scale(x, v)}" y2="${T + y.px}" class="grid"/><text x="${L + scale(x, v)}" y="${T + y.px + 16}" class="tick" text-anchor="middle">${v}</text>`,
    ),
    ...opts.yTicks.map(
      (v) =>
        `<line x1="${L}" y1="${T + y.px - scale(y, v)}" x2="${L + x.px}" y2="${T + y.px - scale(y, v)}" class="grid"/><text x="${L - 6}" y="${T + y.px - scale(y, v) + 4}" class="tick" text-anchor="end">${(opts.yFormat ?? String)(v)}</text>`,
    ),
  ].join('');
  const legend = (opts.legend ?? [])
    .map(
      (l, i) =>
        `<rect x="${L + 8}" y="${T + 6 + i * 16}" width="10" height="10" fill="${l.color}"/><text x="${L + 22}" y="${T + 15 + i * 16}" class="legend">${esc(l.label)}</text>`,
    )
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${opts.width}" height="${opts.height}" viewBox="0 0 ${opts.width} ${opts.height}">
<g>${grid}</g>
<text x="${L + x.px / 2}" y="${opts.height - 4}" class="label" text-anchor="middle">${esc(opts.xLabel)}</text>
<text x="12" y="${T + y.px / 2}" class="label" text-anchor="middle" transform="rotate(-90 12 ${T + y.px / 2})">${esc(opts.yLabel)}</text>
<g transform="translate(${L} ${T})">${opts.body}</g>${legend}</svg>`;
}
