import type { SensorReading } from '@offload/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceSensors, SENSOR_RESEND_MS, type SensorHost } from './DeviceSensors';

const tilt = (beta: number): SensorReading => ({
  type: 'sensor',
  kind: 'orientation',
  alpha: 0,
  beta,
  gamma: 0,
});

function host() {
  const listeners = new Map<string, (e: Event) => void>();
  let watcher: { ok: PositionCallback; fail: PositionErrorCallback } | undefined;
  const h: SensorHost = {
    geolocation: {
      watchPosition: (ok, fail) => {
        watcher = { ok, fail: fail! };
        return 7;
      },
      clearWatch: vi.fn(),
    },
    addEventListener: (type, fn) => listeners.set(type, fn),
    removeEventListener: (type) => listeners.delete(type),
  };
  return {
    h,
    listeners,
    fix: (latitude: number, longitude: number) =>
      watcher!.ok({ coords: { latitude, longitude, accuracy: 20 } } as GeolocationPosition),
    refuse: () => watcher!.fail({ code: 1, message: 'User denied Geolocation' } as GeolocationPositionError),
  };
}

describe('DeviceSensors', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a burst at its kind’s rate: the first at once, the last at the end of the slot, repeats not at all', () => {
    const sent: SensorReading[] = [];
    const s = new DeviceSensors((r) => sent.push(r) > 0, host().h);
    s.offer(tilt(1));
    s.offer(tilt(2));
    s.offer(tilt(3));
    expect(sent).toEqual([tilt(1)]);
    vi.advanceTimersByTime(40); // orientation: 30/s, a slot of 33 ms
    expect(sent).toEqual([tilt(1), tilt(3)]);
    vi.advanceTimersByTime(100);
    s.offer(tilt(3));
    expect(sent).toHaveLength(2);
    s.close();
  });

  it('sends the latest reading of each kind again every few seconds (the channel may lose one)', () => {
    const sent: SensorReading[] = [];
    const s = new DeviceSensors((r) => sent.push(r) > 0, host().h);
    s.offer(tilt(5));
    vi.advanceTimersByTime(SENSOR_RESEND_MS * 2 + 1);
    expect(sent).toEqual([tilt(5), tilt(5), tilt(5)]);
    s.close();
    vi.advanceTimersByTime(SENSOR_RESEND_MS * 2);
    expect(sent).toHaveLength(3);
  });

  it('shares the device’s location and motion as readings, and stops', async () => {
    const sent: SensorReading[] = [];
    const t = host();
    const s = new DeviceSensors((r) => sent.push(r) > 0, t.h);
    const sharing = s.shareLocation();
    t.fix(48.8566, 2.3522);
    await sharing;
    expect(sent.at(-1)).toEqual({
      type: 'sensor',
      kind: 'location',
      latitude: 48.8566,
      longitude: 2.3522,
      accuracy: 20,
    });
    await s.shareMotion();
    t.listeners.get('deviceorientation')!({ alpha: -10, beta: 20.456, gamma: 5 } as unknown as Event);
    expect(sent.at(-1)).toEqual({ type: 'sensor', kind: 'orientation', alpha: 350, beta: 20.46, gamma: 5 });
    t.listeners.get('devicemotion')!({
      accelerationIncludingGravity: { x: 0, y: 9.81, z: 0.5 },
      acceleration: { x: null, y: null, z: null },
      rotationRate: { alpha: 1, beta: 2, gamma: 3 },
    } as unknown as Event);
    expect(sent.at(-1)).toEqual({
      type: 'sensor',
      kind: 'motion',
      accelerationIncludingGravity: { x: 0, y: 9.81, z: 0.5 },
      rotationRate: { alpha: 1, beta: 2, gamma: 3 },
    });
    s.stop('motion');
    expect(t.listeners.size).toBe(0);
    expect(s.sharing('location')).toBe(true);
    s.close();
    expect(t.h.geolocation!.clearWatch).toHaveBeenCalledWith(7);
  });

  it('rejects when the user refuses the location', async () => {
    const t = host();
    const s = new DeviceSensors(() => true, t.h);
    const sharing = s.shareLocation();
    t.refuse();
    await expect(sharing).rejects.toThrow('User denied Geolocation');
    expect(s.sharing('location')).toBe(false);
    s.close();
  });
});
