/** DOM WheelEvent.deltaMode values. */
export const DOM_DELTA_PIXEL = 0;
export const DOM_DELTA_LINE = 1;
export const DOM_DELTA_PAGE = 2;

/** App CSS px per wheel "line" (Chromium scrolls 40 px per line step). */
export const PX_PER_LINE = 40;

/** The protocol bounds a wheel delta to ±10 000 app CSS px. */
const MAX_DELTA = 10_000;

export interface WheelDeltaInput {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
}

/**
 * Converts a wheel event's deltas to app CSS px. Pixel deltas are in client CSS px and are
 * scaled by how much the picture is shrunk or enlarged; line and page deltas are a unit of
 * the app itself, so they map to app px directly (a page = the app's viewport).
 */
export function wheelToAppPx(
  e: WheelDeltaInput,
  scale: { x: number; y: number },
  app: { width: number; height: number },
): { dx: number; dy: number } {
  let dx: number;
  let dy: number;
  switch (e.deltaMode) {
    case DOM_DELTA_LINE:
      dx = e.deltaX * PX_PER_LINE;
      dy = e.deltaY * PX_PER_LINE;
      break;
    case DOM_DELTA_PAGE:
      dx = e.deltaX * app.width;
      dy = e.deltaY * app.height;
      break;
    default:
      dx = e.deltaX * scale.x;
      dy = e.deltaY * scale.y;
  }
  return { dx: clampDelta(dx), dy: clampDelta(dy) };
}

export function clampDelta(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.round(Math.max(-MAX_DELTA, Math.min(MAX_DELTA, v)) * 100) / 100;
}
