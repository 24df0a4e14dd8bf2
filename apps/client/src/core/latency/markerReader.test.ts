import { decodeMarker, MARKER, MARKER_HEIGHT, MARKER_WIDTH, markerCells } from '@offload/latency';
import { describe, expect, it } from 'vitest';
import { decodeStrip, planeLuma, stripLuma } from './markerReader';

/** An RGBA strip as the canvas would return it, each cell a flat colour, optionally noisy. */
function strip(value: number, { white = [235, 235, 235], black = [16, 16, 16], noise = 0 } = {}) {
  const data = new Uint8ClampedArray(MARKER_WIDTH * MARKER_HEIGHT * 4);
  const cells = markerCells(value);
  let seed = 1;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return (seed / 2147483647 - 0.5) * 2 * noise;
  };
  for (let y = 0; y < MARKER_HEIGHT; y++) {
    for (let x = 0; x < MARKER_WIDTH; x++) {
      const c = cells[Math.floor(x / MARKER.cellPx)] ? white : black;
      const i = (y * MARKER_WIDTH + x) * 4;
      data.set([c[0]! + rnd(), c[1]! + rnd(), c[2]! + rnd(), 255], i);
    }
  }
  return data;
}

describe('marker strip reader', () => {
  it('reads luma at each cell centre with the BT.601 weights', () => {
    const data = strip(0, { white: [255, 0, 0], black: [0, 0, 255] });
    const luma = stripLuma(data);
    expect(luma).toHaveLength(MARKER.cells);
    expect(luma[0]).toBeCloseTo(0.299 * 255);
    expect(luma[1]).toBeCloseTo(0.114 * 255);
  });

  it('decodes every value, also through encoder noise', () => {
    for (const v of [0, 1, 2, 127, 128, 170, 255]) {
      expect(decodeStrip(strip(v))).toBe(v);
      expect(decodeStrip(strip(v, { noise: 30 }))).toBe(v);
    }
  });

  it('finds no marker in app pixels (no white/black reference)', () => {
    const grey = new Uint8ClampedArray(MARKER_WIDTH * MARKER_HEIGHT * 4).fill(128);
    expect(decodeStrip(grey)).toBeUndefined();
  });

  it('ignores blur at the cell edges', () => {
    const data = strip(0b10101010);
    // Smear every cell border (columns 0 and 7 of each cell) to mid grey.
    for (let y = 0; y < MARKER_HEIGHT; y++) {
      for (let x = 0; x < MARKER_WIDTH; x += MARKER.cellPx) {
        for (const dx of [0, MARKER.cellPx - 1])
          data.fill(128, (y * MARKER_WIDTH + x + dx) * 4, (y * MARKER_WIDTH + x + dx) * 4 + 3);
      }
    }
    expect(decodeStrip(data)).toBe(0b10101010);
  });
});

describe('planeLuma', () => {
  it('reads a marker straight from a luma plane (video range)', () => {
    const cells = markerCells(173);
    const y = new Uint8Array(MARKER_WIDTH * MARKER_HEIGHT);
    for (let row = 0; row < MARKER_HEIGHT; row++) {
      for (let x = 0; x < MARKER_WIDTH; x++)
        y[row * MARKER_WIDTH + x] = cells[Math.floor(x / MARKER.cellPx)] ? 235 : 16;
    }
    expect(decodeMarker(planeLuma(y, MARKER_WIDTH))).toBe(173);
  });
});
