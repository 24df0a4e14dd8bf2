import { describe, expect, it } from 'vitest';
import { simulcastLayers } from './simulcast.js';

describe('simulcastLayers', () => {
  it('puts the full-size layer last and scales the lower ones down', () => {
    expect(simulcastLayers(720, 1280, 3000, { layers: 2, scaleStep: 2, bitrateStep: 0.2 })).toEqual([
      { width: 360, height: 640, kbps: 600 },
      { width: 720, height: 1280, kbps: 3000 },
    ]);
  });

  it('keeps sizes even and bitrates sane with three layers', () => {
    const [low, mid, top] = simulcastLayers(718, 1278, 1000, { layers: 3, scaleStep: 3, bitrateStep: 0.1 });
    expect(top).toEqual({ width: 718, height: 1278, kbps: 1000 });
    expect(mid).toEqual({ width: 240, height: 426, kbps: 100 });
    expect(low).toEqual({ width: 80, height: 142, kbps: 50 });
  });

  it('is one full layer when simulcast is off', () => {
    expect(simulcastLayers(720, 1280, 3000, { layers: 1, scaleStep: 2, bitrateStep: 0.2 })).toEqual([
      { width: 720, height: 1280, kbps: 3000 },
    ]);
  });

  it('rejects nonsense', () => {
    expect(() => simulcastLayers(720, 1280, 3000, { layers: 0, scaleStep: 2, bitrateStep: 0.2 })).toThrow(
      TypeError,
    );
    expect(() => simulcastLayers(720, 1280, 3000, { layers: 2, scaleStep: 0.5, bitrateStep: 0.2 })).toThrow(
      TypeError,
    );
  });
});
