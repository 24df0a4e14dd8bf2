import { describe, expect, it } from 'vitest';
import { decodeMarker, MARKER, markerCells } from './marker.js';

const luma = (cells: boolean[], white = 235, black = 16) => cells.map((c) => (c ? white : black));

describe('marker', () => {
  it('round-trips every value', () => {
    for (let v = 0; v < MARKER.modulo; v++) expect(decodeMarker(luma(markerCells(v)))).toBe(v);
  });

  it('wraps values and survives compression-like shifts', () => {
    expect(decodeMarker(luma(markerCells(MARKER.modulo + 300), 200, 60))).toBe(300);
  });

  it('rejects strips without the reference cells', () => {
    expect(decodeMarker(Array(MARKER.cells).fill(128))).toBeUndefined();
    expect(decodeMarker(luma(markerCells(5).map((c) => !c)))).toBeUndefined(); // inverted
    expect(decodeMarker([255, 0])).toBeUndefined();
  });
});
