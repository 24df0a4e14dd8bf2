import { CHROMIUM_PATH, VIEWER_CHROMIUM_ARGS } from '@offload/testkit';
import { expect, type Page, test } from '@playwright/test';
import {
  appPointOnPage,
  appState,
  colorDistance,
  openDemo,
  sessionIdOf,
  sessionInfo,
  takeControl,
  VIDEO,
} from '../lib/video.js';

// The viewer's browser has Chromium's fake camera (a green picture with a turning pacman and a
// frame counter) and fake microphone (a 400 Hz beep twice a second), and says yes to its prompt.
test.use({
  launchOptions: {
    executablePath: CHROMIUM_PATH,
    args: [...VIEWER_CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  },
});

type Box = { x: number; y: number; w: number; h: number };
type Camera = {
  status: string;
  tracks: { kind: string; label: string }[];
  mic: { peakHz: number; peakDb: number } | null;
};
type DemoState = { camera: Camera; layout: { cameraButton: { x: number; y: number }; cameraVideo: Box } };

/**
 * Records every track the player's own getUserMedia returns (the device's capture), so the
 * test can see the device's camera stop; an init script, before the player's code.
 */
const RECORD_LENT = `(() => {
  const md = navigator.mediaDevices;
  const gum = md.getUserMedia.bind(md);
  window.__lent = [];
  md.getUserMedia = async (c) => {
    const s = await gum(c);
    window.__lent.push(...s.getTracks());
    return s;
  };
})();`;

/** The device's camera and microphone as the device itself has them: mean colour of a frame, loudest frequency. */
async function reference(page: Page): Promise<{ rgb: number[]; peakHz: number }> {
  return page.evaluate(async () => {
    const s = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    const v = document.createElement('video');
    v.muted = true;
    v.srcObject = s;
    await v.play();
    await new Promise((r) => setTimeout(r, 500));
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(v, 0, 0, 64, 48);
    const d = g.getImageData(0, 0, 64, 48).data;
    const rgb = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) rgb[k]! += d[i + k]! / (d.length / 4);
    const ac = new AudioContext();
    const an = new AnalyserNode(ac, { fftSize: 4096, smoothingTimeConstant: 0 });
    ac.createMediaStreamSource(s).connect(an);
    await ac.resume();
    const bins = new Float32Array(an.frequencyBinCount);
    let best = { hz: 0, db: -Infinity };
    for (let k = 0; k < 30; k++) {
      await new Promise((r) => setTimeout(r, 50));
      an.getFloatFrequencyData(bins);
      for (let i = 1; i < bins.length; i++)
        if (bins[i]! > best.db) best = { hz: (i * ac.sampleRate) / an.fftSize, db: bins[i]! };
    }
    for (const t of s.getTracks()) t.stop();
    await ac.close();
    return { rgb: rgb.map(Math.round), peakHz: best.hz };
  });
}

/** The streamed pixels of an app box (fractions of the app screen), as 32×24 RGB, and their mean colour. */
async function boxPixels(page: Page, b: Box): Promise<{ rgb: number[]; px: number[] }> {
  return page.locator(VIDEO).evaluate((el, b) => {
    const v = el as HTMLVideoElement;
    const ratio = Number(getComputedStyle(v.closest('.frame')!).getPropertyValue('--frame-ratio')) || 1;
    const appH = v.videoHeight / ratio;
    const c = document.createElement('canvas');
    c.width = 32;
    c.height = 24;
    const g = c.getContext('2d', { willReadFrequently: true })!;
    // The box's inner 80 %: away from its edges and the letterboxing of the picture in it.
    const [x, y, w, h] = [b.x + b.w * 0.1, b.y + b.h * 0.1, b.w * 0.8, b.h * 0.8];
    g.drawImage(v, x * v.videoWidth, y * appH, w * v.videoWidth, h * appH, 0, 0, 32, 24);
    const d = g.getImageData(0, 0, 32, 24).data;
    const px: number[] = [];
    const rgb = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4)
      for (let k = 0; k < 3; k++) {
        px.push(d[i + k]!);
        rgb[k]! += d[i + k]! / (d.length / 4);
      }
    return { rgb: rgb.map(Math.round), px };
  }, b);
}

const meanDiff = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]!), 0) / a.length;

/**
 * The controller's camera and microphone reach the app: the demo's camera screen, opened
 * through the player, calls getUserMedia in the app; the viewer's browser (only then) captures
 * its fake devices; the streamed pixels of the app's <video> show the fake camera's green
 * picture, moving; the app's analyser hears the fake microphone's beep at the device's own
 * pitch. Closed by the app, the device's capture stops; opened again and control given up, the
 * app's tracks end and the device's capture stops too.
 */
test('the controller’s camera and microphone reach the app: its picture in the stream, its beep in the app', async ({
  browser,
}) => {
  const { context, page } = await openDemo(browser, { prepare: (c) => c.addInitScript(RECORD_LENT) });
  try {
    const sessionId = sessionIdOf(page);
    await takeControl(page);
    const device = await reference(page);
    // The fake camera is green: the check below would mean nothing otherwise.
    expect(device.rgb[1]!).toBeGreaterThan(device.rgb[0]! + 60);
    const lent = () =>
      page.evaluate(() => (window as unknown as { __lent: MediaStreamTrack[] }).__lent.length);
    const lentLive = () =>
      page.evaluate(
        () =>
          (window as unknown as { __lent: MediaStreamTrack[] }).__lent.filter((t) => t.readyState === 'live')
            .length,
      );
    const before = await lent(); // the reference's own two tracks
    const state = async () => (await appState(page, sessionId)) as unknown as DemoState;
    const { layout } = await state();
    // Nothing asked the device yet: the player captured nothing of its own.
    expect(before).toBe(2);
    const green = (rgb: number[]) => colorDistance(rgb, device.rgb) < 60;

    const button = await appPointOnPage(page, layout.cameraButton.x, layout.cameraButton.y);
    await page.mouse.click(button.x, button.y);
    await expect.poll(async () => (await state()).camera.status, { timeout: 30_000 }).toBe('on');
    expect((await state()).camera.tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);
    expect(await lentLive()).toBe(2);
    // The player says so while the app uses the device's camera and microphone.
    await expect(page.getByTestId('device-lent')).toContainText(/camera/);
    await expect(page.getByTestId('device-lent')).toContainText(/microphone/);
    const video = (await state()).layout.cameraVideo; // laid out now that the screen shows

    // The streamed pixels of the app's <video>: the fake camera's picture, and it moves.
    await expect
      .poll(async () => green((await boxPixels(page, video)).rgb), {
        timeout: 20_000,
        message: 'the app’s video shows the fake camera’s green picture',
      })
      .toBe(true);
    const a = (await boxPixels(page, video)).px;
    await expect
      .poll(async () => meanDiff(a, (await boxPixels(page, video)).px), {
        message: 'the camera’s picture moves in the stream (pacman, frame counter)',
      })
      .toBeGreaterThan(0.5);

    // The app's analyser hears the fake microphone's beep, at the device's own pitch.
    await expect
      .poll(
        async () => {
          const mic = (await state()).camera.mic;
          return mic !== null && mic.peakDb > -70 && Math.abs(mic.peakHz - device.peakHz) < 25;
        },
        { timeout: 20_000, message: `the app hears the device’s ${Math.round(device.peakHz)} Hz beep` },
      )
      .toBe(true);

    // The app closes its camera: the device's capture stops, the producers close.
    await page.mouse.click(button.x, button.y);
    await expect.poll(async () => (await state()).camera.status).toBe('off');
    await expect.poll(async () => green((await boxPixels(page, video)).rgb)).toBe(false);
    await expect.poll(lentLive).toBe(0);
    await expect(page.getByTestId('device-lent')).toBeHidden();
    await expect
      .poll(async () => (await sessionInfo(page, sessionId)) as unknown as { capture: unknown })
      .toMatchObject({ capture: null });

    // Opened again, then control given up: the app's tracks end, the device stops capturing.
    await page.mouse.click(button.x, button.y);
    await expect.poll(async () => (await state()).camera.status, { timeout: 30_000 }).toBe('on');
    await expect.poll(lentLive).toBe(2);
    await page.getByTestId('control-release').click();
    await expect.poll(async () => (await state()).camera.status).toBe('ended');
    await expect.poll(lentLive).toBe(0);
    await expect(page.getByTestId('device-lent')).toBeHidden();
  } finally {
    await context.close();
  }
});
