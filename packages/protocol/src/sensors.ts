import { z } from 'zod';

/**
 * The device's senses, client → server, on the `sensors` data channel (unordered, no
 * retransmissions: a reading is superseded by the next, and never queues behind input). Only
 * the controller's readings reach the app, as its own geolocation and its
 * `deviceorientation` / `devicemotion` events (the server sets Chromium's overrides).
 * Units are the DOM's: degrees, metres, m/s², degrees per second. `z.number()` refuses NaN
 * and infinities, so a broken sensor gets a typed `invalid-message`, not a NaN in the app.
 */

const range = (min: number, max: number) => z.number().min(min).max(max);
const sensor = { type: z.literal('sensor') };

/** A position, as `GeolocationCoordinates` has it. */
export const LocationReading = z.object({
  ...sensor,
  kind: z.literal('location'),
  latitude: range(-90, 90),
  longitude: range(-180, 180),
  /** Metres (95 % confidence radius). */
  accuracy: range(0, 1_000_000),
});

/** The device's orientation, as `DeviceOrientationEvent` has it (degrees). */
export const OrientationReading = z.object({
  ...sensor,
  kind: z.literal('orientation'),
  /** Around the z axis, 0 ≤ alpha < 360 (360 is taken as 0). */
  alpha: range(0, 360),
  /** Front to back, −180 ≤ beta < 180. */
  beta: range(-180, 180),
  /** Left to right, −90 ≤ gamma < 90. */
  gamma: range(-90, 90),
});

/** A phone shakes at a few g; anything past this is a broken sensor. */
const accel = range(-1000, 1000);
const Vector = z.object({ x: accel, y: accel, z: accel });

/** Acceleration and rotation, as `DeviceMotionEvent` has them. */
export const MotionReading = z.object({
  ...sensor,
  kind: z.literal('motion'),
  /** m/s², gravity included (every device with an accelerometer has this). */
  accelerationIncludingGravity: Vector,
  /** m/s², without gravity, where the device tells it apart. */
  acceleration: Vector.optional(),
  /** Degrees per second, as the DOM's `rotationRate` (alpha, beta, gamma), where there is a gyroscope. */
  rotationRate: z
    .object({ alpha: range(-10_000, 10_000), beta: range(-10_000, 10_000), gamma: range(-10_000, 10_000) })
    .optional(),
});

/**
 * A gamepad's whole state, as the Gamepad API has it with the standard mapping (buttons 0…16:
 * A B X Y, bumpers, triggers, back start, sticks, d-pad, home; axes: left x y, right x y). The
 * whole state every time: a lost message is superseded by the next.
 */
export const GamepadReading = z.object({
  ...sensor,
  kind: z.literal('gamepad'),
  /** Which of the device's pads (0…3). */
  index: z.number().int().min(0).max(3),
  /** The pad's name as the device reports it (the app sees it as Gamepad.id). */
  id: z.string().max(128),
  /** False: the pad was unplugged (the app gets `gamepaddisconnected`). */
  connected: z.boolean(),
  /** Button values, 0…1 (pressed above 0.5). */
  buttons: z.array(range(0, 1)).max(32),
  /** Axes, −1…1. */
  axes: z.array(range(-1, 1)).max(16),
});

export const SensorReading = z.discriminatedUnion('kind', [
  LocationReading,
  OrientationReading,
  MotionReading,
  GamepadReading,
]);

export type LocationReading = z.infer<typeof LocationReading>;
export type OrientationReading = z.infer<typeof OrientationReading>;
export type MotionReading = z.infer<typeof MotionReading>;
export type GamepadReading = z.infer<typeof GamepadReading>;
export type SensorReading = z.infer<typeof SensorReading>;
export type SensorKind = SensorReading['kind'];

/** Label of the sensors data channel (unordered, no retransmissions). */
export const SENSOR_CHANNEL = 'sensors';

/**
 * Readings a second per kind: clients send at most this often (only when a value changed),
 * servers apply at most twice this in a burst and drop the rest as `rate-limited`.
 */
export const SENSOR_RATE: Record<SensorKind, number> = {
  location: 1,
  orientation: 30,
  motion: 30,
  gamepad: 120,
};

/** What a reading supersedes: the last of its kind (of its pad, for gamepads). */
export function sensorKey(r: SensorReading): string {
  return r.kind === 'gamepad' ? `gamepad:${r.index}` : r.kind;
}

/** Largest sensors message (JSON); a reading is well under it. */
export const MAX_SENSOR_MESSAGE_BYTES = 1024;
