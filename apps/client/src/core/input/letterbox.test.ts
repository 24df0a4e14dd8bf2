import { describe, expect, it } from 'vitest';
import { appRect, appScale, contentRect, normalisePoint } from './letterbox';

const el = (left: number, top: number, width: number, height: number) => ({ left, top, width, height });

describe('contentRect', () => {
  it('fills the element when the aspect ratios match', () => {
    expect(contentRect(el(10, 20, 390, 844), 390, 844)).toEqual(el(10, 20, 390, 844));
  });

  it('pillarboxes a tall picture in a wide element (bars left and right)', () => {
    // 400x800 picture in 1000x400 → scale 0.5 → 200x400, centred horizontally.
    expect(contentRect(el(0, 0, 1000, 400), 400, 800)).toEqual(el(400, 0, 200, 400));
  });

  it('letterboxes a wide picture in a tall element (bars top and bottom)', () => {
    // 1280x720 in 640x1000 → scale 0.5 → 640x360, 320 px bars above and below.
    expect(contentRect(el(5, 7, 640, 1000), 1280, 720)).toEqual(el(5, 327, 640, 360));
  });

  it('scales a small picture up (contain also enlarges)', () => {
    expect(contentRect(el(0, 0, 800, 800), 100, 50)).toEqual(el(0, 200, 800, 400));
  });

  it('falls back to the element when the content size is unknown', () => {
    expect(contentRect(el(1, 2, 300, 200), 0, 0)).toEqual(el(1, 2, 300, 200));
    expect(contentRect(el(1, 2, 300, 200), Number.NaN, 10)).toEqual(el(1, 2, 300, 200));
  });

  it('keeps the element when the element has no size', () => {
    expect(contentRect(el(0, 0, 0, 0), 100, 100)).toEqual(el(0, 0, 0, 0));
  });
});

describe('normalisePoint', () => {
  const content = el(400, 0, 200, 400);

  it('maps corners and centre', () => {
    expect(normalisePoint(400, 0, content)).toEqual({ x: 0, y: 0, inside: true });
    expect(normalisePoint(600, 400, content)).toEqual({ x: 1, y: 1, inside: true });
    expect(normalisePoint(500, 200, content)).toEqual({ x: 0.5, y: 0.5, inside: true });
    expect(normalisePoint(450, 300, content)).toEqual({ x: 0.25, y: 0.75, inside: true });
  });

  it('clamps points in the bars and flags them as outside', () => {
    expect(normalisePoint(100, 200, content)).toEqual({ x: 0, y: 0.5, inside: false });
    expect(normalisePoint(900, 200, content)).toEqual({ x: 1, y: 0.5, inside: false });
    expect(normalisePoint(500, -10, content)).toEqual({ x: 0.5, y: 0, inside: false });
    expect(normalisePoint(500, 410, content)).toEqual({ x: 0.5, y: 1, inside: false });
  });

  it('composes with contentRect for a letterboxed element', () => {
    const c = contentRect(el(0, 0, 640, 1000), 1280, 720);
    // Top bar.
    expect(normalisePoint(320, 100, c).inside).toBe(false);
    // Picture centre.
    expect(normalisePoint(320, 500, c)).toEqual({ x: 0.5, y: 0.5, inside: true });
  });

  it('never returns a point for an empty picture', () => {
    expect(normalisePoint(1, 1, el(0, 0, 0, 10))).toEqual({ x: 0, y: 0, inside: false });
  });
});

describe('appScale', () => {
  it('gives app px per client px', () => {
    expect(appScale(el(0, 0, 195, 422), 390, 844)).toEqual({ x: 2, y: 2 });
    expect(appScale(el(0, 0, 0, 0), 390, 844)).toEqual({ x: 1, y: 1 });
  });
});

describe('appRect', () => {
  it('leaves out the marker strip below the app screen, at any scale', () => {
    // 720x1280 app → 720x1296 frames; drawn at half size the strip is 8 px.
    expect(appRect(el(10, 20, 360, 648), { width: 720, height: 1280 })).toEqual(el(10, 20, 360, 640));
  });
});
