import { describe, expect, it } from 'vitest';
import { moduleLogger } from '../logger.js';
import { orientationQuaternion, SensorOverrides } from './SensorOverrides.js';

const tilt = (beta: number) => ({ type: 'sensor', kind: 'orientation', alpha: 0, beta, gamma: 0 }) as const;

async function setUp() {
  const calls: { method: string; params?: Record<string, unknown> }[] = [];
  const pending: (() => void)[] = [];
  let hold = false;
  const cdp = {
    send: (method: string, params?: Record<string, unknown>) => {
      calls.push({ method, params });
      return hold ? new Promise<void>((r) => pending.push(r)) : Promise.resolve();
    },
  };
  const granted: string[][] = [];
  const context = { grantPermissions: async (p: string[]) => void granted.push(p) };
  const sensors = await SensorOverrides.enable(context as never, cdp as never, moduleLogger('test'));
  return { sensors, calls, granted, pending, holdCalls: (h: boolean) => (hold = h) };
}

describe('SensorOverrides', () => {
  it('overrides the sensors and grants geolocation before the app loads ("position unavailable" until a reading)', async () => {
    const { calls, granted } = await setUp();
    expect(
      calls.filter((c) => c.method === 'Emulation.setSensorOverrideEnabled').map((c) => c.params!.type),
    ).toEqual([
      'accelerometer',
      'linear-acceleration',
      'gyroscope',
      'relative-orientation',
      'absolute-orientation',
    ]);
    expect(granted[0]).toContain('geolocation');
    expect(granted[0]).toContain('accelerometer');
    expect(calls.at(-1)).toEqual({ method: 'Emulation.setGeolocationOverride', params: {} });
  });

  it('keeps one call per kind in flight: readings that arrive meanwhile collapse into the latest', async () => {
    const t = await setUp();
    const before = t.calls.length;
    t.holdCalls(true);
    t.sensors.apply(tilt(1));
    t.sensors.apply(tilt(2));
    t.sensors.apply(tilt(3));
    t.sensors.apply({ type: 'sensor', kind: 'location', latitude: 1, longitude: 2, accuracy: 3 });
    // Orientation: both orientation sensors for the first reading; location: its own call at once.
    expect(t.calls.slice(before).map((c) => c.method)).toEqual([
      'Emulation.setSensorOverrideReadings',
      'Emulation.setSensorOverrideReadings',
      'Emulation.setGeolocationOverride',
    ]);
    t.holdCalls(false);
    for (const release of t.pending.splice(0)) release();
    await new Promise((r) => setTimeout(r, 0));
    // Then only the latest orientation (beta 3), not beta 2.
    const after = t.calls.slice(before + 3);
    expect(after).toHaveLength(2);
    expect(after[0]!.params!.reading).toEqual({ quaternion: orientationQuaternion(0, 3, 0) });
  });

  it('turns an orientation into the quaternion of rotations about z, then x, then y', () => {
    const near = (q: Record<string, number>, e: Record<string, number>) => {
      for (const k of Object.keys(e)) expect(q[k]).toBeCloseTo(e[k]!, 6);
    };
    near(orientationQuaternion(0, 0, 0), { w: 1, x: 0, y: 0, z: 0 });
    near(orientationQuaternion(90, 0, 0), { w: Math.SQRT1_2, x: 0, y: 0, z: Math.SQRT1_2 });
    near(orientationQuaternion(0, 90, 0), { w: Math.SQRT1_2, x: Math.SQRT1_2, y: 0, z: 0 });
    near(orientationQuaternion(0, 0, -90), { w: Math.SQRT1_2, x: 0, y: -Math.SQRT1_2, z: 0 });
  });
});
