import type { LatencySampleWire } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { kindLabel, Metrics } from './Metrics.js';

const sample = (kind: string): LatencySampleWire => ({
  seq: 1,
  kind,
  total: 50,
  segments: {
    uplink: 1,
    inject: 4,
    renderCapture: 25,
    encode: 7,
    network: 3,
    jitterBuffer: 1,
    decode: 1,
    render: 8,
  },
  residual: 0,
  syncError: 0.5,
});

describe('Metrics', () => {
  it('labels a sample by its input type, and anything else as "other"', () => {
    expect(kindLabel('touch:start')).toBe('touch');
    expect(kindLabel('key:down')).toBe('key');
    expect(kindLabel('text')).toBe('text');
    expect(kindLabel('constructor')).toBe('other');
    expect(kindLabel('x'.repeat(32))).toBe('other');
  });

  it('keeps the label sets of reported samples bounded, whatever kinds participants send', async () => {
    const m = new Metrics({} as never, {} as never);
    const kinds = ['touch:start', 'pointer:down', 'key:down', 'text', 'wheel'];
    for (let i = 0; i < 5000; i++) m.observeClientSamples([sample(i % 2 ? `k${i}:x` : kinds[i % 5]!)]);
    const metric = m.registry.getSingleMetric('offload_input_to_photon_ms')!;
    const labels = new Set((await metric.get()).values.map((v) => String(v.labels.kind)));
    expect([...labels].sort()).toEqual(['key', 'other', 'pointer', 'text', 'touch', 'wheel']);
  });
});
