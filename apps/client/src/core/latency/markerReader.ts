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

/** Luma (0..255, full range) at each marker cell's centre from a Y plane of `width` px rows, 2×2 averaged. */
export function planeLuma(y: ArrayLike<number>, width: number, scale = 1): number[] {
  return Array.from({ length: MARKER.cells }, (_, cell) => {
    const c = markerCellCentre(cell);
    const x0 = Math.floor(c.x * scale) - 1;
    const y0 = Math.floor(c.y * scale) - 1;
    const at = (x: number, yy: number) => y[yy * width + x]!;
    return (at(x0, y0) + at(x0 + 1, y0) + at(x0, y0 + 1) + at(x0 + 1, y0 + 1)) / 4;
  });
}

/**
 * Reads the marker by copying only the strip's rows of the luma plane out of the current
 * frame (WebCodecs VideoFrame.copyTo with a rect): no colour conversion, no full-frame
 * readback. drawImage(video) converts the whole frame to RGB first (7–28 ms per 720p frame
 * on our machines), which made the always-on monitor cost a third of a core during drags.
 * The frame is taken synchronously (the same frame drawImage would read); only the copy is
 * asynchronous. Falls back to the canvas reader for frames that are not CPU YUV frames.
 */
export function createVideoFrameMarkerReader(
  video: HTMLVideoElement,
  scale: () => number = () => 1,
): (frame: FrameSize) => number | undefined | Promise<number | undefined> {
  const canvasReader = createCanvasMarkerReader(video, scale);
  if (typeof VideoFrame !== 'function') return canvasReader;
  let useCanvas = false;
  return (size) => {
    if (useCanvas) return canvasReader(size);
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video);
    } catch {
      return undefined; // no frame to read yet
    }
    const s = scale();
    const w = Math.ceil((MARKER_WIDTH * s) / 2) * 2;
    const h = Math.ceil((MARKER_HEIGHT * s) / 2) * 2;
    const vr = frame.visibleRect;
    if (!vr || !['I420', 'I420A', 'NV12'].includes(frame.format ?? '') || vr.height < h || vr.width < w) {
      frame.close();
      useCanvas = true;
      return canvasReader(size);
    }
    // YUV rects start on even coordinates; the strip's bottom edge is the frame's.
    const rect = { x: vr.x, y: vr.y + Math.floor((vr.height - h) / 2) * 2, width: w, height: h };
    const buffer = new Uint8Array(frame.allocationSize({ rect }));
    return frame
      .copyTo(buffer, { rect })
      .then(
        // The Y plane comes first, w bytes per row.
        () => decodeMarker(planeLuma(buffer, w, s)),
        () => undefined,
      )
      .finally(() => frame.close());
  };
}
