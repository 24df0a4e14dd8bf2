/** One simulcast layer the sender encodes: its picture size and bitrate. */
export interface SimulcastLayer {
  width: number;
  height: number;
  kbps: number;
}

export interface SimulcastSettings {
  /** Number of layers (1 = simulcast off). */
  layers: number;
  /** Each layer below the top is this many times smaller in width and height. */
  scaleStep: number;
  /** Each layer below the top gets this fraction of the next layer's bitrate. */
  bitrateStep: number;
}

/** Encoders want even sizes (I420 subsamples chroma by 2); no layer below 16 px. */
const even = (x: number) => Math.max(16, 2 * Math.round(x / 2));

/**
 * The layers to encode, lowest first (the order mediasoup wants simulcast encodings in): the
 * top one at the full screen size and bitrate, each lower one `scaleStep` times smaller and
 * with `bitrateStep` of the bitrate.
 */
export function simulcastLayers(
  width: number,
  height: number,
  kbps: number,
  s: SimulcastSettings,
): SimulcastLayer[] {
  if (!Number.isInteger(s.layers) || s.layers < 1) throw new TypeError('layers must be a positive integer');
  if (!(s.scaleStep >= 1)) throw new TypeError('scaleStep must be ≥ 1');
  if (!(s.bitrateStep > 0 && s.bitrateStep <= 1)) throw new TypeError('bitrateStep must be in (0, 1]');
  const out: SimulcastLayer[] = [];
  for (let k = s.layers - 1; k >= 0; k--) {
    const scale = s.scaleStep ** k;
    out.push({
      width: k === 0 ? width : even(width / scale),
      height: k === 0 ? height : even(height / scale),
      kbps: Math.max(50, Math.round(kbps * s.bitrateStep ** k)),
    });
  }
  return out;
}
