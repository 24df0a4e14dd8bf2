import type { SensorReading } from '@offload/protocol';
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
  const scripts: string[] = [];
  const context = {
    grantPermissions: async (p: string[]) => void granted.push(p),
    addInitScript: async (s: string) => void scripts.push(s),
  };
  const sensors = await SensorOverrides.enable(context as never, cdp as never, moduleLogger('test'));
  return { sensors, calls, granted, scripts, pending, holdCalls: (h: boolean) => (hold = h) };
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

  it('feeds gamepads to the page through the Gamepad API shim: one call per pad in flight', async () => {
    const t = await setUp();
    expect(t.scripts).toHaveLength(1);
    const before = t.calls.length;
    const pad = (index: number, a: number): SensorReading => ({
      type: 'sensor',
      kind: 'gamepad',
      index,
      id: 'pad',
      connected: true,
      buttons: [a],
      axes: [0, 0],
    });
    t.holdCalls(true);
    t.sensors.apply(pad(0, 1));
    t.sensors.apply(pad(0, 0));
    t.sensors.apply(pad(1, 1));
    const sent = t.calls.slice(before);
    expect(sent.map((c) => c.method)).toEqual(['Runtime.evaluate', 'Runtime.evaluate']);
    expect(String(sent[1]!.params!.expression)).toContain('"index":1');
  });

  it('gives a page the pads it is fed, with connect and disconnect events', async () => {
    const { GAMEPAD_SHIM, GAMEPAD_HOOK } = await import('./gamepadShim.js');
    const events: string[] = [];
    class Nav {}
    const g = {
      Navigator: Nav,
      performance,
      Event: class {
        constructor(readonly type: string) {}
      },
      dispatchEvent: (e: { type: string; gamepad: { index: number } }) =>
        events.push(`${e.type}:${e.gamepad.index}`),
    } as Record<string, unknown>;
    g.globalThis = g;
    new Function(
      'globalThis',
      'Navigator',
      'performance',
      'Event',
      'dispatchEvent',
      `with (globalThis) { ${GAMEPAD_SHIM} }`,
    )(g, Nav, performance, g.Event, g.dispatchEvent);
    const feed = g[GAMEPAD_HOOK] as (s: unknown) => void;
    feed({ index: 1, id: 'Xbox', connected: true, buttons: [1, 0.2], axes: [-0.5, 0] });
    const pads = (
      new Nav() as {
        getGamepads(): ({ id: string; buttons: { pressed: boolean; value: number }[] } | null)[];
      }
    ).getGamepads();
    expect(pads[0]).toBeNull();
    expect(pads[1]!.id).toBe('Xbox');
    expect(pads[1]!.buttons.map((b) => b.pressed)).toEqual([true, false]);
    feed({ index: 1, id: 'Xbox', connected: true, buttons: [0, 0], axes: [0, 0] });
    feed({ index: 1, id: 'Xbox', connected: false, buttons: [], axes: [] });
    expect(events).toEqual(['gamepadconnected:1', 'gamepaddisconnected:1']);
  });
});
