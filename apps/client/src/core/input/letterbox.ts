import { videoFrameSize } from '@offload/latency';

/**
 * Coordinate math for a video drawn with `object-fit: contain`: the picture keeps its aspect
 * ratio and is centred, leaving black bars on two sides. Input must be mapped through the
 * picture's rectangle, not the element's, or every click lands off target.
 */

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The rectangle the picture occupies, in the same coordinates as `element` (e.g. client CSS
 * px from getBoundingClientRect). With no usable content size the whole element is used.
 */
export function contentRect(element: Rect, contentWidth: number, contentHeight: number): Rect {
  if (!(contentWidth > 0 && contentHeight > 0 && element.width > 0 && element.height > 0))
    return { ...element };
  const scale = Math.min(element.width / contentWidth, element.height / contentHeight);
  const width = contentWidth * scale;
  const height = contentHeight * scale;
  return {
    left: element.left + (element.width - width) / 2,
    top: element.top + (element.height - height) / 2,
    width,
    height,
  };
}

/**
 * The app's part of a video frame drawn at `frame`: the frame minus the marker strip below
 * the app screen (see @offload/latency videoFrameSize), which the player never shows.
 */
export function appRect(frame: Rect, screen: { width: number; height: number }): Rect {
  return { ...frame, height: (frame.height * screen.height) / videoFrameSize(screen).height };
}

export interface NormalisedPoint {
  /** 0 = left edge of the app, 1 = right edge; clamped to [0, 1]. */
  x: number;
  /** 0 = top edge of the app, 1 = bottom edge; clamped to [0, 1]. */
  y: number;
  /** Whether the point was on the picture (false in the black bars or outside the element). */
  inside: boolean;
}

/** Maps a client point into the picture: normalised app coordinates, clamped. */
export function normalisePoint(clientX: number, clientY: number, content: Rect): NormalisedPoint {
  if (!(content.width > 0 && content.height > 0)) return { x: 0, y: 0, inside: false };
  const rx = (clientX - content.left) / content.width;
  const ry = (clientY - content.top) / content.height;
  return {
    x: clamp01(rx),
    y: clamp01(ry),
    inside: rx >= 0 && rx <= 1 && ry >= 0 && ry <= 1,
  };
}

/** App CSS px per client CSS px along x and y (≈ equal, as the aspect ratio is kept). */
export function appScale(content: Rect, appWidth: number, appHeight: number): { x: number; y: number } {
  return {
    x: content.width > 0 ? appWidth / content.width : 1,
    y: content.height > 0 ? appHeight / content.height : 1,
  };
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
