/**
 * The frame marker: a strip of square cells at the app screen's bottom-left corner that the
 * app runtime repaints, in the same task as the app's own handler, whenever an input takes
 * effect. The first captured (and later, presented) frame showing an input's marker value is
 * the first frame rendered after the input was handled. Cells 0 and 1 are a white/black
 * reference (so a client can tell a marker from app pixels and pick its threshold); cells
 * 2.. carry the value, most significant bit first, white = 1.
 *
 * An input's marker id is its injection stamp in MARKER.stepMs units (the DOM events of the
 * input carry that stamp as their timeStamp), so the page needs no message from the server
 * to know which id an event stands for; ids grow with time, not by one per input.
 */
export const MARKER = {
  /** Cells in the strip: 2 reference cells and 16 value bits. */
  cells: 18,
  /**
   * Cell edge in the strip below the app screen (video px at scale 1), and the strip's
   * height. 16 = one H.264 macroblock, aligned to the macroblock grid: when a big change
   * elsewhere makes the encoder coarsen a frame, whole-macroblock cells still decode (8 px
   * cells were misread for a frame or two after large changes).
   */
  cellPx: 16,
  /**
   * Cell edge in the app page (CSS px). The capture reads the page's marker losslessly, hides
   * it (the pixel row above is painted over it) and draws it again in the strip: one pixel is
   * enough, and nobody sees it.
   */
  pagePx: 1,
  /** Values cycle: markId mod 65536 (4.4 minutes of stamps). */
  modulo: 65536,
  /** Marker ids count injection stamps in these units (ms): inputs are stamped at least this far apart. */
  stepMs: 4,
} as const;

/** Width × height of the marker in the strip (px). */
export const MARKER_WIDTH = MARKER.cells * MARKER.cellPx;
export const MARKER_HEIGHT = MARKER.cellPx;

/**
 * The video frame of an app screen: the screen with the marker strip below it. Clients show
 * only the top `height` rows (the app) and read the marker off the rows below.
 */
export function videoFrameSize(screen: { width: number; height: number }): { width: number; height: number } {
  return { width: screen.width, height: screen.height + MARKER_HEIGHT };
}

/** White (true) / black (false) for each cell, showing `value`. */
export function markerCells(value: number): boolean[] {
  const v = ((value % MARKER.modulo) + MARKER.modulo) % MARKER.modulo;
  const bits = Array.from({ length: MARKER.cells - 2 }, (_, i) => ((v >> (MARKER.cells - 3 - i)) & 1) === 1);
  return [true, false, ...bits];
}

/**
 * Reads a marker from the luma (0..255) at each cell's centre; undefined if the reference
 * cells do not look like a marker (no marker, or the picture is too blurred to trust).
 */
export function decodeMarker(luma: readonly number[]): number | undefined {
  if (luma.length !== MARKER.cells) return undefined;
  const white = luma[0]!;
  const black = luma[1]!;
  if (white - black < 96) return undefined;
  const threshold = (white + black) / 2;
  let v = 0;
  for (let i = 2; i < MARKER.cells; i++) v = (v << 1) | (luma[i]! > threshold ? 1 : 0);
  return v;
}

/** Centre (x, y) of cell i, relative to the strip's top-left corner. */
export function markerCellCentre(i: number): { x: number; y: number } {
  return { x: i * MARKER.cellPx + MARKER.cellPx / 2, y: MARKER.cellPx / 2 };
}
