import { expect, type Page, test } from '@playwright/test';
import {
  appState,
  colorDistance,
  openDemo,
  sessionIdOf,
  sessionInfo,
  takeControl,
  videoPixel,
} from '../lib/video.js';

type Point = { x: number; y: number };
interface Senses {
  location: { latitude: number; longitude: number; accuracy: number } | null;
  orientation: { alpha: number; beta: number; gamma: number } | null;
  motion: {
    accelerationIncludingGravity: { x: number; y: number; z: number };
    rotationRate: { alpha: number; beta: number; gamma: number } | null;
  } | null;
  layout: { geoDot: Point; level: Point };
}
const senses = async (page: Page, sessionId: string) =>
  (await appState(page, sessionId)) as unknown as Senses;

/**
 * The controller's senses reach the app as its own: this (client) browser's location,
 * orientation and motion are set through CDP, as a phone's hardware would report them; the
 * player reads them through the web APIs (geolocation, deviceorientation, devicemotion), sends
 * them on its sensors channel, and the server sets them as the app browser's. The demo app
 * shows them: a dot that turns green with a location, a spirit level whose bubble moves with
 * the tilt — asserted in the streamed pixels, and in the app's own state.
 */
test('the controller’s location, orientation and motion reach the app, from the device or set by hand', async ({
  browser,
}) => {
  const { context, page } = await openDemo(browser);
  try {
    const sessionId = sessionIdOf(page);
    // The user says yes when the player asks (Chromium asks for motion too: requestPermission).
    await context.grantPermissions(['geolocation', 'accelerometer', 'gyroscope', 'magnetometer']);
    await takeControl(page);

    const { layout } = await senses(page, sessionId);
    const { geoDot, level } = layout;
    // The bubble's spot at gamma = +45° (12 px right of the level's centre, in a 720 px screen).
    const tilted = { x: level.x + 12 / 720, y: level.y };
    const dotBefore = await videoPixel(page, geoDot.x, geoDot.y);
    const spotBefore = await videoPixel(page, tilted.x, tilted.y);

    // The device's senses, as its hardware would report them.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setGeolocationOverride', {
      latitude: 48.8566,
      longitude: 2.3522,
      accuracy: 10,
    });
    await cdp.send('DeviceOrientation.setDeviceOrientationOverride', { alpha: 90, beta: 0, gamma: 45 });
    for (const type of ['accelerometer', 'linear-acceleration', 'gyroscope'])
      await cdp.send('Emulation.setSensorOverrideEnabled' as never, { enabled: true, type } as never);
    const xyz = (x: number, y: number, z: number) => ({ xyz: { x, y, z } });
    await cdp.send(
      'Emulation.setSensorOverrideReadings' as never,
      { type: 'accelerometer', reading: xyz(0.5, 9.8, 0.2) } as never,
    );
    await cdp.send(
      'Emulation.setSensorOverrideReadings' as never,
      { type: 'linear-acceleration', reading: xyz(0.5, 0, 0) } as never,
    );
    await cdp.send(
      'Emulation.setSensorOverrideReadings' as never,
      { type: 'gyroscope', reading: xyz(0.1, 0.2, 0.3) } as never,
    );

    await page.getByTestId('sensors-toggle').click();
    await page.getByTestId('share-location').check();
    await page.getByTestId('share-motion').check();

    await expect
      .poll(async () => (await senses(page, sessionId)).location, { timeout: 15_000 })
      .toEqual({ latitude: 48.8566, longitude: 2.3522, accuracy: 10 });
    await expect
      .poll(async () => (await senses(page, sessionId)).orientation)
      .toEqual({ alpha: 90, beta: 0, gamma: 45 });
    // Motion: gravity as the accelerometer reads it; rotation 0.1/0.2/0.3 rad/s = 5.73/11.46/17.19 °/s.
    await expect
      .poll(async () => (await senses(page, sessionId)).motion?.accelerationIncludingGravity)
      .toEqual({
        x: 0.5,
        y: 9.8,
        z: 0.2,
      });
    const rate = (await senses(page, sessionId)).motion!.rotationRate!;
    expect(rate.alpha).toBeCloseTo(5.73, 1);
    expect(rate.beta).toBeCloseTo(11.46, 1);
    expect(rate.gamma).toBeCloseTo(17.19, 1);

    // In the streamed pixels: the dot turned green, the bubble moved right.
    let dot: number[] = [];
    await expect
      .poll(
        async () => {
          dot = await videoPixel(page, geoDot.x, geoDot.y);
          return dot[1]! > dot[0]! + 50 && dot[1]! > dot[2]! + 30;
        },
        { message: `the location dot turns green (before ${dotBefore}, now ${dot})` },
      )
      .toBe(true);
    expect(colorDistance(await videoPixel(page, geoDot.x, geoDot.y), dotBefore)).toBeGreaterThan(60);
    await expect
      .poll(async () => colorDistance(await videoPixel(page, tilted.x, tilted.y), spotBefore))
      .toBeGreaterThan(60);

    // By hand (a desktop, a test rig): stop the device's motion, tilt with a slider; set a place.
    await page.getByTestId('share-motion').uncheck();
    await page.getByTestId('sensor-beta').fill('30');
    await expect.poll(async () => (await senses(page, sessionId)).orientation?.beta).toBe(30);
    await page.getByTestId('share-location').uncheck();
    await page.getByTestId('sensor-latitude').fill('35.6762');
    await page.getByTestId('sensor-longitude').fill('139.6503');
    await page.getByTestId('sensor-set-location').click();
    await expect
      .poll(async () => (await senses(page, sessionId)).location)
      .toMatchObject({ latitude: 35.6762, longitude: 139.6503 });
    await page.getByTestId('sensor-latitude').fill('123');
    await page.getByTestId('sensor-set-location').click();
    await expect(page.getByTestId('sensors-error')).toContainText('Latitude');

    // The server counted them as sensor readings from this viewer.
    const info = (await sessionInfo(page, sessionId)) as unknown as {
      viewers: { input: { sensors: number; dropped: number } }[];
    };
    expect(info.viewers[0]!.input.sensors).toBeGreaterThan(3);
  } finally {
    await context.close();
  }
});

/**
 * A pad in the viewer's hands: a scripted one here (navigator.getGamepads answered by the test,
 * `gamepadconnected` fired, as Chromium does for a real pad), pressed and pushed. The player
 * polls it and sends its state; the app reads a standard-mapping gamepad through its own
 * Gamepad API and shows it in its dock: A lit, the stick's dot moved.
 */
test('the controller’s gamepad reaches the app as a standard gamepad', async ({ browser }) => {
  const scriptedPad = () => {
    const w = window as unknown as { __pad: { buttons: number[]; axes: number[] } | null };
    w.__pad = null;
    const pad = () =>
      w.__pad && {
        index: 0,
        id: 'Scripted pad (STANDARD GAMEPAD)',
        connected: true,
        mapping: 'standard',
        timestamp: performance.now(),
        axes: w.__pad.axes,
        buttons: w.__pad.buttons.map((v) => ({ pressed: v > 0.5, touched: v > 0, value: v })),
      };
    Object.defineProperty(Navigator.prototype, 'getGamepads', { value: () => [pad(), null, null, null] });
  };
  const { context, page } = await openDemo(browser, { prepare: (c) => c.addInitScript(scriptedPad) });
  try {
    const sessionId = sessionIdOf(page);
    await takeControl(page);

    // Plugged in, A pressed, the left stick pushed right and up.
    const buttons = Array(17).fill(0);
    buttons[0] = 1;
    await page.evaluate((b) => {
      (window as unknown as { __pad: unknown }).__pad = { buttons: b, axes: [0.5, -0.5, 0, 0] };
      dispatchEvent(new Event('gamepadconnected'));
    }, buttons);
    const pad = async () =>
      ((await appState(page, sessionId)) as unknown as { gamepad: unknown; gamepadEvents: string[] }).gamepad;
    await expect.poll(pad, { timeout: 15_000 }).toEqual({
      id: 'Scripted pad (STANDARD GAMEPAD)',
      index: 0,
      mapping: 'standard',
      pressed: [0],
      axes: [0.5, -0.5, 0, 0],
    });
    // In the streamed pixels: A is lit (orange).
    const { layout } = (await appState(page, sessionId)) as unknown as { layout: { padA: Point } };
    await expect
      .poll(async () => {
        const [r, g, b] = await videoPixel(page, layout.padA.x, layout.padA.y);
        return r > 200 && g > 140 && b < 120;
      })
      .toBe(true);
    // Released; then unplugged: the app hears it go.
    await page.evaluate(() => {
      (window as unknown as { __pad: { buttons: number[] } }).__pad.buttons[0] = 0;
    });
    await expect.poll(async () => ((await pad()) as { pressed: number[] } | null)?.pressed).toEqual([]);
    await page.evaluate(() => {
      (window as unknown as { __pad: unknown }).__pad = null;
      dispatchEvent(new Event('gamepaddisconnected'));
    });
    await expect
      .poll(
        async () =>
          ((await appState(page, sessionId)) as unknown as { gamepadEvents: string[] }).gamepadEvents,
      )
      .toEqual(['connected:0', 'disconnected:0']);
  } finally {
    await context.close();
  }
});
