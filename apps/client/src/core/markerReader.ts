import { decodeMarker, MARKER, MARKER_HEIGHT, MARKER_WIDTH, markerCellCentre } from '@offload/latency';

/**
 * Luma (0.299R + 0.587G + 0.114B) at each marker cell's centre of an RGBA strip of
 * MARKER_WIDTH × MARKER_HEIGHT px, averaged over the 2×2 pixels that meet at the centre:
 * a cell's middle is the part H.264 blurs least, and four pixels smooth out its noise.
 */
export function stripLuma(rgba: ArrayLike<number>, width = MARKER_WIDTH): number[] {
  const luma = (x: number, y: number) => {
    const i = (y * width + x) * 4;
    return 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
  };
  return Array.from({ length: MARKER.cells }, (_, cell) => {
    const { x, y } = markerCellCentre(cell);
    const x0 = Math.floor(x) - 1;
    const y0 = Math.floor(y) - 1;
    return (luma(x0, y0) + luma(x0 + 1, y0) + luma(x0, y0 + 1) + luma(x0 + 1, y0 + 1)) / 4;
  });
}

/** The marker value an RGBA strip shows, or undefined if it shows none. */
export function decodeStrip(rgba: ArrayLike<number>, width = MARKER_WIDTH): number | undefined {
  return decodeMarker(stripLuma(rgba, width));
}

/** What the reader needs of a frame: its size in video px. */
export interface FrameSize {
  width: number;
  height: number;
}

/**
 * Reads the marker off the video's current frame: draws only the strip at the bottom-left
 * corner onto a tiny CPU-backed canvas and decodes it. `scale` = video px per app px (1 unless
 * the encoder scaled the picture down); the strip is sampled back to its nominal size.
 */
export function createCanvasMarkerReader(
  video: CanvasImageSource,
  scale: () => number = () => 1,
): (frame: FrameSize) => number | undefined {
  const canvas =
    typeof OffscreenCanvas === 'function'
      ? new OffscreenCanvas(MARKER_WIDTH, MARKER_HEIGHT)
      : Object.assign(document.createElement('canvas'), { width: MARKER_WIDTH, height: MARKER_HEIGHT });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as
    | CanvasRenderingContext2D
    | OffscreenCanvasRenderingContext2D
    | null;
  if (!ctx) return () => undefined;
  ctx.imageSmoothingEnabled = true;
  return ({ height }) => {
    const s = scale();
    const w = MARKER_WIDTH * s;
    const h = MARKER_HEIGHT * s;
    if (!(height >= h)) return undefined;
    ctx.drawImage(video, 0, height - h, w, h, 0, 0, MARKER_WIDTH, MARKER_HEIGHT);
    return decodeStrip(ctx.getImageData(0, 0, MARKER_WIDTH, MARKER_HEIGHT).data);
  };
}
