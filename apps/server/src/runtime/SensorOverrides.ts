import { type SensorReading, sensorKey } from '@offload/protocol';
import type { BrowserContext, CDPSession } from 'playwright-core';
import type { Logger } from '../logger.js';
import { GAMEPAD_HOOK, GAMEPAD_SHIM } from './gamepadShim.js';

/**
 * The sensors Blink builds `devicemotion` (accelerometer, linear-acceleration, gyroscope) and
 * `deviceorientation` / `deviceorientationabsolute` (relative- and absolute-orientation) from.
 * Overridden before the app loads: a page's sensor objects made earlier would not see them.
 */
const SENSORS = [
  'accelerometer',
  'linear-acceleration',
  'gyroscope',
  'relative-orientation',
  'absolute-orientation',
] as const;
const RAD_PER_DEG = Math.PI / 180;

type Send = (method: string, params?: object) => Promise<unknown>;

/**
 * The app browser's senses, driven by the controller's device: its geolocation
 * (`Emulation.setGeolocationOverride`) and its orientation and motion sensors
 * (`Emulation.setSensorOverrideReadings`), which Blink turns into `deviceorientation` and
 * `devicemotion` events (the Generic Sensor API reads the same). Set up before the app loads: its motion
 * sensors exist from the start and report nothing until a reading comes; geolocation is
 * granted and reports "position unavailable" until a location comes (no prompt on the app
 * screen). One CDP call per kind in flight: a reading that arrives meanwhile replaces the one
 * waiting, so a slow browser never builds a queue.
 */
export class SensorOverrides {
  readonly #send: Send;
  readonly #log: Logger;
  readonly #busy = new Set<string>();
  readonly #waiting = new Map<string, SensorReading>();
  #closed = false;

  private constructor(send: Send, log: Logger) {
    this.#send = send;
    this.#log = log;
  }

  static async enable(context: BrowserContext, cdp: CDPSession, log: Logger): Promise<SensorOverrides> {
    const send: Send = (method, params) => (cdp.send as unknown as Send)(method, params);
    for (const type of SENSORS) await send('Emulation.setSensorOverrideEnabled', { enabled: true, type });
    // CDP grants these and refuses every other permission: the motion sensors' too, unless listed.
    await context.grantPermissions(['geolocation', 'accelerometer', 'gyroscope', 'magnetometer']);
    await send('Emulation.setGeolocationOverride', {});
    // Gamepads: Chromium takes no virtual pad from CDP (only a kernel device, /dev/uinput,
    // host-wide): the app's page gets the Gamepad API from a script that runs before its own.
    await context.addInitScript(GAMEPAD_SHIM);
    return new SensorOverrides(send, log);
  }

  /** Applies a validated reading (never throws; a failure is logged). */
  apply(reading: SensorReading): void {
    if (this.#closed) return;
    const key = sensorKey(reading);
    if (this.#busy.has(key)) {
      this.#waiting.set(key, reading);
      return;
    }
    this.#busy.add(key);
    this.#run(reading)
      .catch((err: Error) => {
        if (!this.#closed)
          this.#log.warn({ err: err.message, kind: reading.kind }, 'sensor reading not applied');
      })
      .finally(() => {
        this.#busy.delete(key);
        const next = this.#waiting.get(key);
        this.#waiting.delete(key);
        if (next) this.apply(next);
      });
  }

  close(): void {
    this.#closed = true;
    this.#waiting.clear();
  }

  async #run(r: SensorReading): Promise<void> {
    if (r.kind === 'gamepad') {
      const { index, id, connected, buttons, axes } = r;
      await this.#send('Runtime.evaluate', {
        expression: `globalThis.${GAMEPAD_HOOK}?.(${JSON.stringify({ index, id, connected, buttons, axes })})`,
      });
    } else if (r.kind === 'location') {
      await this.#send('Emulation.setGeolocationOverride', {
        latitude: r.latitude,
        longitude: r.longitude,
        accuracy: r.accuracy,
      });
    } else if (r.kind === 'orientation') {
      const reading = { quaternion: orientationQuaternion(r.alpha, r.beta, r.gamma) };
      await Promise.all(
        (['relative-orientation', 'absolute-orientation'] as const).map((type) =>
          this.#send('Emulation.setSensorOverrideReadings', { type, reading }),
        ),
      );
    } else {
      const reading = (xyz: { x: number; y: number; z: number }) => ({ xyz });
      const rate = r.rotationRate ?? { alpha: 0, beta: 0, gamma: 0 };
      // Blink's devicemotion reads rotationRate alpha, beta, gamma off the gyroscope's x, y, z (rad/s).
      const gyro = { x: rate.alpha * RAD_PER_DEG, y: rate.beta * RAD_PER_DEG, z: rate.gamma * RAD_PER_DEG };
      await Promise.all([
        this.#send('Emulation.setSensorOverrideReadings', {
          type: 'accelerometer',
          reading: reading(r.accelerationIncludingGravity),
        }),
        this.#send('Emulation.setSensorOverrideReadings', {
          type: 'linear-acceleration',
          reading: reading(r.acceleration ?? { x: 0, y: 0, z: 0 }),
        }),
        this.#send('Emulation.setSensorOverrideReadings', { type: 'gyroscope', reading: reading(gyro) }),
      ]);
    }
  }
}

/**
 * The device orientation (degrees, as DeviceOrientationEvent: intrinsic rotations alpha about
 * z, then beta about x', then gamma about y'') as the unit quaternion an orientation sensor
 * reports: q = qz(alpha) · qx(beta) · qy(gamma).
 */
export function orientationQuaternion(
  alpha: number,
  beta: number,
  gamma: number,
): { x: number; y: number; z: number; w: number } {
  const half = (deg: number) => (deg * RAD_PER_DEG) / 2;
  const [ca, sa] = [Math.cos(half(alpha)), Math.sin(half(alpha))];
  const [cb, sb] = [Math.cos(half(beta)), Math.sin(half(beta))];
  const [cg, sg] = [Math.cos(half(gamma)), Math.sin(half(gamma))];
  return {
    w: ca * cb * cg - sa * sb * sg,
    x: ca * sb * cg - sa * cb * sg,
    y: ca * cb * sg + sa * sb * cg,
    z: sa * cb * cg + ca * sb * sg,
  };
}
