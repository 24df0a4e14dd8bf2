import type { Segment } from '@offload/latency';

/** Milliseconds for the HUD: "–" when unknown, one decimal below 10 ms, whole ms above. */
export function fmtMs(v: number | null | undefined): string {
  if (v == null || !Number.isFinite(v)) return '–';
  return Math.abs(v) < 10 ? v.toFixed(1) : String(Math.round(v));
}

/** One colour per segment, in path order; distinct on a dark background and for common colour-blindness. */
export const SEGMENT_COLOURS: Record<Segment, string> = {
  uplink: '#4f8cff',
  inject: '#a06cff',
  renderCapture: '#ff8c42',
  encode: '#f2c94c',
  network: '#2ec4b6',
  jitterBuffer: '#8d96a8',
  decode: '#ff6b9a',
  render: '#3ecf8e',
};
