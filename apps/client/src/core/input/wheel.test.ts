import { describe, expect, it } from 'vitest';
import {
  clampDelta,
  DOM_DELTA_LINE,
  DOM_DELTA_PAGE,
  DOM_DELTA_PIXEL,
  PX_PER_LINE,
  wheelToAppPx,
} from './wheel';

const app = { width: 390, height: 844 };

describe('wheelToAppPx', () => {
  it('scales pixel deltas by the picture scale', () => {
    expect(
      wheelToAppPx({ deltaX: 10, deltaY: -50, deltaMode: DOM_DELTA_PIXEL }, { x: 2, y: 2 }, app),
    ).toEqual({
      dx: 20,
      dy: -100,
    });
  });

  it('maps lines to app px without the picture scale', () => {
    expect(wheelToAppPx({ deltaX: 0, deltaY: 3, deltaMode: DOM_DELTA_LINE }, { x: 2, y: 2 }, app)).toEqual({
      dx: 0,
      dy: 3 * PX_PER_LINE,
    });
  });

  it('maps pages to the app viewport size', () => {
    expect(wheelToAppPx({ deltaX: 1, deltaY: -1, deltaMode: DOM_DELTA_PAGE }, { x: 2, y: 2 }, app)).toEqual({
      dx: 390,
      dy: -844,
    });
  });

  it('clamps to the protocol bounds and drops non-finite values', () => {
    expect(clampDelta(1e9)).toBe(10_000);
    expect(clampDelta(-1e9)).toBe(-10_000);
    expect(clampDelta(Number.NaN)).toBe(0);
    expect(clampDelta(1.23456)).toBe(1.23);
  });
});
