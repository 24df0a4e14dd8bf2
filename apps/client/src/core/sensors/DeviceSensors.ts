import { SENSOR_RATE, type SensorReading, sensorKey } from '@offload/protocol';

/** How often the latest reading of each kind is sent again (ms): the sensors channel may lose one. */
export const SENSOR_RESEND_MS = 2000;

const r2 = (v: number | null | undefined) => Math.round((v ?? 0) * 100) / 100;

/** What DeviceSensors needs of the page (a window in the browser; a stand-in in tests). */
export interface SensorHost {
  geolocation?: Pick<Geolocation, 'watchPosition' | 'clearWatch'>;
  addEventListener(type: 'deviceorientation' | 'devicemotion', fn: (e: Event) => void): void;
  removeEventListener(type: 'deviceorientation' | 'devicemotion', fn: (e: Event) => void): void;
  /** iOS Safari: motion and orientation need the user's yes, asked from a tap. */
  requestMotionPermission?: () => Promise<'granted' | 'denied'>;
}

/**
 * This device's senses, handed on as protocol readings: its position
 * (`geolocation.watchPosition`: the browser asks the user first), its orientation and motion
 * (`deviceorientation`, `devicemotion`; iOS asks first, from a tap), or values set by hand
 * (the sensors panel, for a desktop or a test rig). Each kind goes at most SENSOR_RATE[kind]
 * times a second (the last value of a burst is sent at the end of its slot, not lost), only
 * when it changed, and the latest of each kind again every SENSOR_RESEND_MS (the channel is
 * unreliable, and a location may not change for minutes).
 */
export class DeviceSensors {
  readonly #send: (r: SensorReading) => boolean;
  readonly #host: SensorHost;
  /** By sensorKey: a kind, or a gamepad's index. */
  readonly #latest = new Map<string, SensorReading>();
  readonly #sentAt = new Map<string, number>();
  readonly #sentJson = new Map<string, string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #stops = new Map<'location' | 'motion', () => void>();
  readonly #resend: ReturnType<typeof setInterval>;

  constructor(send: (r: SensorReading) => boolean, host: SensorHost) {
    this.#send = send;
    this.#host = host;
    this.#resend = setInterval(() => {
      for (const r of this.#latest.values()) this.#send(r);
    }, SENSOR_RESEND_MS);
  }

  /** Whether the device's own location / motion are being shared. */
  sharing(what: 'location' | 'motion'): boolean {
    return this.#stops.has(what);
  }

  /** Shares the device's position; resolves at the first fix, rejects if the user or the device says no. */
  shareLocation(): Promise<void> {
    const geo = this.#host.geolocation;
    if (!geo) return Promise.reject(new Error('This browser has no geolocation.'));
    this.stop('location');
    return new Promise((resolve, reject) => {
      const id = geo.watchPosition(
        (p) => {
          const { latitude, longitude, accuracy } = p.coords;
          this.offer({
            type: 'sensor',
            kind: 'location',
            latitude,
            longitude,
            accuracy: Math.min(accuracy, 1e6),
          });
          resolve();
        },
        (err) => {
          this.stop('location');
          reject(new Error(err.message || 'The location is not available.'));
        },
        { enableHighAccuracy: true },
      );
      this.#stops.set('location', () => geo.clearWatch(id));
    });
  }

  /** Shares the device's orientation and motion (asks first where the browser wants a yes). */
  async shareMotion(): Promise<void> {
    if (this.#host.requestMotionPermission && (await this.#host.requestMotionPermission()) !== 'granted')
      throw new Error('Motion and orientation were not allowed.');
    this.stop('motion');
    const onOrientation = (e: Event) => {
      const o = e as DeviceOrientationEvent;
      if (o.beta == null || o.gamma == null) return;
      const alpha = ((r2(o.alpha) % 360) + 360) % 360;
      this.offer({ type: 'sensor', kind: 'orientation', alpha, beta: r2(o.beta), gamma: r2(o.gamma) });
    };
    const onMotion = (e: Event) => {
      const m = e as DeviceMotionEvent;
      const g = m.accelerationIncludingGravity;
      if (g?.x == null) return;
      const vec = (v: DeviceMotionEventAcceleration) => ({ x: r2(v.x), y: r2(v.y), z: r2(v.z) });
      const rate = m.rotationRate;
      this.offer({
        type: 'sensor',
        kind: 'motion',
        accelerationIncludingGravity: vec(g),
        ...(m.acceleration?.x != null ? { acceleration: vec(m.acceleration) } : {}),
        ...(rate?.alpha != null
          ? { rotationRate: { alpha: r2(rate.alpha), beta: r2(rate.beta), gamma: r2(rate.gamma) } }
          : {}),
      });
    };
    this.#host.addEventListener('deviceorientation', onOrientation);
    this.#host.addEventListener('devicemotion', onMotion);
    this.#stops.set('motion', () => {
      this.#host.removeEventListener('deviceorientation', onOrientation);
      this.#host.removeEventListener('devicemotion', onMotion);
    });
  }

  /** Stops sharing the device's location or motion (what was sent stays the app's last reading). */
  stop(what: 'location' | 'motion'): void {
    this.#stops.get(what)?.();
    this.#stops.delete(what);
  }

  /** A reading, from the device or set by hand: sent now, or at the end of its kind's slot. */
  offer(reading: SensorReading): void {
    const key = sensorKey(reading);
    this.#latest.set(key, reading);
    if (this.#timers.has(key)) return; // the slot's end sends the latest
    const last = this.#sentAt.get(key);
    const wait = last === undefined ? 0 : last + 1000 / SENSOR_RATE[reading.kind] - performance.now();
    if (wait > 0) {
      this.#timers.set(
        key,
        setTimeout(() => {
          this.#timers.delete(key);
          this.#flush(key);
        }, wait),
      );
    } else this.#flush(key);
  }

  /** Stops everything. */
  close(): void {
    for (const what of [...this.#stops.keys()]) this.stop(what);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    clearInterval(this.#resend);
  }

  #flush(key: string): void {
    const reading = this.#latest.get(key);
    if (!reading) return;
    const json = JSON.stringify(reading);
    if (json === this.#sentJson.get(key)) return;
    this.#sentJson.set(key, json);
    this.#sentAt.set(key, performance.now());
    this.#send(reading);
  }
}
