import type { StreamClient } from '../StreamClient';
import { DeviceSensors, type SensorHost } from './DeviceSensors';
import { GamepadPoller } from './GamepadPoller';

/** The page as DeviceSensors sees it (with iOS's and Chromium's permission call, where there is one). */
function pageHost(): SensorHost {
  const Orientation = (
    globalThis as { DeviceOrientationEvent?: { requestPermission?: () => Promise<'granted' | 'denied'> } }
  ).DeviceOrientationEvent;
  return {
    geolocation: navigator.geolocation,
    addEventListener: (type, fn) => window.addEventListener(type, fn),
    removeEventListener: (type, fn) => window.removeEventListener(type, fn),
    requestMotionPermission: Orientation?.requestPermission?.bind(Orientation),
  };
}

const sensors = new WeakMap<StreamClient, DeviceSensors>();

/** The page's senses for this client (one, whichever panel or poller asks). */
export function pageSensorsFor(client: StreamClient): DeviceSensors {
  let s = sensors.get(client);
  if (!s) {
    s = new DeviceSensors((r) => client.sendSensor(r), pageHost());
    sensors.set(client, s);
  }
  return s;
}

/** Hands the device's gamepads to the app while this viewer is the controller (nothing runs without a pad). */
export function startGamepads(client: StreamClient): GamepadPoller | null {
  if (typeof navigator.getGamepads !== 'function') return null;
  return new GamepadPoller((r) => pageSensorsFor(client).offer(r), {
    getGamepads: () => navigator.getGamepads(),
    addEventListener: (type, fn) => window.addEventListener(type, fn),
    removeEventListener: (type, fn) => window.removeEventListener(type, fn),
    requestAnimationFrame: (fn) => requestAnimationFrame(fn),
    cancelAnimationFrame: (id) => cancelAnimationFrame(id),
  });
}
