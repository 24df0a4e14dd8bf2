import type http from 'node:http';
import { startExampleHost } from '@offload/embed/example/serve.mjs';
import {
  appPointOnPage,
  colorDistance,
  createSession,
  DEMO_COUNTER,
  DEMO_SCREEN,
  DEMO_TEXT_FIELD,
  videoPixel,
} from '@offload/testkit';
import { expect, type Frame, type Page, test } from '@playwright/test';
import { appState, sharedServerIdle } from '../lib/video.js';
import { EMBED_HOST_PORT, PORT } from '../playwright.config.js';

/*
 * The embedding SDK, as a device maker's page uses it: the example host page
 * (packages/embed/example) is served on another origin, loads the SDK from the Offload server
 * (/sdk/offload-embed.js) and puts the player in an iframe. The test drives the player through
 * the SDK only (window.player is the SDK's OffloadPlayer), and checks what happened in the app
 * (its own state, read back by the server) and in the streamed pixels inside the iframe.
 */

const SERVER = `http://127.0.0.1:${PORT}`;
const HOST = `http://127.0.0.1:${EMBED_HOST_PORT}`;

let hostServer: http.Server | undefined;
test.beforeAll(async () => {
  hostServer = await startExampleHost(EMBED_HOST_PORT);
});
test.afterAll(async () => {
  await new Promise((r) => hostServer?.close(r));
});

interface Recorded {
  type: string;
  args: unknown[];
}

const events = (page: Page, type?: string) =>
  page
    .evaluate('window.embedEvents')
    .then((all) => (all as Recorded[]).filter((e) => !type || e.type === type));

/** Runs an SDK command in the host page; resolves with its result, or { error: { code, message } }. */
function sdk(page: Page, call: string): Promise<unknown> {
  return page.evaluate(
    `window.player.${call}.then((r) => ({ ok: r ?? null }), (e) => ({ error: { name: e.name, code: e.code, message: e.message } }))`,
  );
}

function playerFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().startsWith(`${SERVER}/`));
  if (!frame)
    throw new Error(
      `no player frame in ${page
        .frames()
        .map((f) => f.url())
        .join(', ')}`,
    );
  return frame;
}

test('a page on another origin drives the player through the SDK', async ({ page }) => {
  await sharedServerIdle();
  const sessionId = await createSession(PORT);
  await page.goto(`${HOST}/?server=${encodeURIComponent(SERVER)}&session=${sessionId}`);

  // It loads, connects on its own, and streams; the host hears each step.
  await expect.poll(() => page.evaluate('window.player?.state'), { timeout: 30_000 }).toBe('streaming');
  expect(await page.evaluate('location.origin')).toBe(HOST);
  const frame = playerFrame(page);
  expect(new URL(frame.url()).searchParams.get('parent')).toBe(HOST);
  const ready = await events(page, 'ready');
  expect(ready).toHaveLength(1);
  expect(ready[0]!.args[0]).toMatchObject({ playerVersion: expect.any(String) });
  const states = (await events(page, 'state')).map((e) => e.args[0]);
  expect(states).toEqual(expect.arrayContaining(['joining', 'streaming']));
  expect((await events(page, 'session')).at(-1)!.args[0]).toMatchObject({
    sessionId,
    screen: { touch: true },
  });

  // Control: the SDK takes it (nobody holds it, or this player already does as the first to join).
  expect(await sdk(page, 'takeControl()')).toEqual({ ok: null });
  await expect.poll(() => page.evaluate('window.player.control?.inControl')).toBe(true);

  // A tap on the embedded player reaches the app (the player's own input, inside the iframe)…
  const start = (await appState(page, sessionId)).count;
  const counter = await appPointOnPage(frame, DEMO_COUNTER.x, DEMO_COUNTER.y);
  const before = await videoPixel(frame, DEMO_COUNTER.x, DEMO_COUNTER.y);
  await page.mouse.click(counter.x, counter.y);
  await expect.poll(async () => (await appState(page, sessionId)).count).toBe(start + 1);
  await expect
    .poll(async () => colorDistance(await videoPixel(frame, DEMO_COUNTER.x, DEMO_COUNTER.y), before))
    .toBeGreaterThan(60);
  // …and the monitor's figures for it reach the host.
  await expect
    .poll(async () => ((await events(page, 'latency')).at(-1)?.args[0] as { count?: number })?.count ?? 0, {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);

  // sendText types into the app's focused field.
  const field = await appPointOnPage(frame, DEMO_TEXT_FIELD.x, DEMO_TEXT_FIELD.y);
  await expect(async () => {
    await page.mouse.click(field.x, field.y);
    await expect.poll(async () => (await appState(page, sessionId)).focused, { timeout: 4000 }).toBe('text');
  }).toPass({ timeout: 15_000 });
  expect(await sdk(page, "sendText('from the host page')")).toEqual({ ok: null });
  await expect.poll(async () => (await appState(page, sessionId)).text).toBe('from the host page');

  // Stats, and a quality cap: the server forwards the low simulcast layer only, and the
  // picture decoded is that layer (half the app's width); `auto` lifts the cap again.
  // getStats reads the receiver when asked: frames have been decoded (the tap's change was seen).
  const framesDecoded = async () =>
    ((await sdk(page, 'getStats()')) as { ok: { framesDecoded: number } | null }).ok?.framesDecoded ?? 0;
  await expect.poll(framesDecoded, { timeout: 5000 }).toBeGreaterThan(0);
  const preferredLayer = async () => {
    const r = await page.request.get(`${SERVER}/debug/sessions/${sessionId}`);
    const info = (await r.json()) as {
      viewers: { consumers: { preferredLayers: { spatialLayer: number } | null }[] }[];
    };
    return info.viewers[0]?.consumers[0]?.preferredLayers?.spatialLayer;
  };
  const decodedWidth = async () => ((await sdk(page, 'getStats()')) as { ok: { width: number } }).ok.width;
  expect(await sdk(page, "setQuality('low')")).toEqual({ ok: null });
  await expect.poll(preferredLayer).toBe(0);
  await expect.poll(decodedWidth, { timeout: 20_000 }).toBeLessThanOrEqual(DEMO_SCREEN.width / 2);
  expect(await sdk(page, "setQuality('auto')")).toEqual({ ok: null });
  await expect.poll(preferredLayer).toBeGreaterThan(0);

  // Mute, keyframe, rotate (typed refusal), bad input (typed refusal).
  expect(await sdk(page, 'unmute()')).toEqual({ ok: null });
  // Unmuted, the player's sound element plays the app's sound; muted, it plays nothing.
  const soundPlays = () => frame.evaluate('!!document.querySelector("[data-testid=sound]").srcObject');
  await expect.poll(soundPlays).toBe(true);
  expect(await sdk(page, 'mute()')).toEqual({ ok: null });
  await expect.poll(soundPlays).toBe(false);
  expect((await events(page, 'muted')).map((e) => e.args[0])).toEqual([false, true]);
  expect(await sdk(page, 'requestKeyFrame()')).toEqual({ ok: null });
  expect(await sdk(page, "rotate('landscape')")).toMatchObject({ error: { code: 'unsupported' } });
  expect(await sdk(page, "sendText('')")).toMatchObject({ error: { code: 'bad-command' } });

  // Disconnect and connect again.
  expect(await sdk(page, 'disconnect()')).toEqual({ ok: null });
  await expect.poll(() => page.evaluate('window.player.state')).toBe('closed');
  expect(await sdk(page, 'connect()')).toEqual({ ok: null });
  expect(await page.evaluate('window.player.state')).toBe('streaming');

  // destroy() removes the player; the host heard no error all along.
  await page.evaluate('window.player.destroy()');
  await expect(page.locator('iframe')).toHaveCount(0);
  expect(await events(page, 'error')).toEqual([]);
});

test('a page on an origin the server does not list gets no player, and a clear error', async ({ page }) => {
  // localhost is another origin than 127.0.0.1: not in OFFLOAD_ALLOWED_ORIGINS, so the
  // player's frame-ancestors refuses to be framed there.
  const other = `http://localhost:${EMBED_HOST_PORT}`;
  await page.goto(`${other}/?server=${encodeURIComponent(SERVER)}&session=nope&readyTimeoutMs=4000`);
  await expect
    .poll(async () => (await events(page, 'error')).map((e) => (e.args[0] as { code: string }).code), {
      timeout: 15_000,
    })
    .toEqual(['player-unreachable']);
  const [error] = await events(page, 'error');
  expect((error!.args[0] as { message: string }).message).toContain('OFFLOAD_ALLOWED_ORIGINS');
  expect(await events(page, 'ready')).toEqual([]);
});

test('<offload-player> plays a session and tells its state as DOM events', async ({ page }) => {
  await sharedServerIdle();
  const sessionId = await createSession(PORT);
  await page.goto(`${HOST}/?server=${encodeURIComponent(SERVER)}&session=${sessionId}&element=1`);
  await expect
    .poll(async () => (await events(page, 'state')).map((e) => e.args[0]), { timeout: 30_000 })
    .toContain('streaming');
  const frame = playerFrame(page);
  await expect.poll(() => frame.evaluate('document.querySelector("video").videoWidth')).toBeGreaterThan(0);
  // Taking the element out of the page destroys its player and its frame.
  await page.evaluate('document.querySelector("offload-player").remove()');
  await expect(page.locator('iframe')).toHaveCount(0);
});

/*
 * What a webview host gets, as far as Chromium can stand in for Android's WebView: a phone's
 * narrow viewport at a device scale factor of 3, touch only, the player embedded by the host
 * page, and no user gesture before playback (a webview host turns the gesture requirement off;
 * here the browser's autoplay policy lets muted media play, as the player's is).
 */
test('on a phone-sized touch screen the embedded player fits, plays without a tap, and takes touches', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 3,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  try {
    await sharedServerIdle();
    const sessionId = await createSession(PORT);
    // A webview host shows the player alone: the example page's player box is the screen.
    await page.goto(`${HOST}/?server=${encodeURIComponent(SERVER)}&session=${sessionId}`);
    await page.addStyleTag({
      content:
        'body{padding:0;display:block} #player{width:100vw;height:100vh;border-radius:0} aside{display:none}',
    });
    await expect.poll(() => page.evaluate('window.player?.state'), { timeout: 30_000 }).toBe('streaming');
    const frame = playerFrame(page);
    // No "tap to play": it plays on its own.
    await expect.poll(() => frame.evaluate('document.querySelector("video").paused')).toBe(false);
    expect(await frame.locator('[data-testid="tap-to-play"]').count()).toBe(0);
    // The player's screen box fits the viewport: nothing sticks out sideways or below.
    const box = (await frame.getByTestId('stream').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360 + 0.5);
    expect(box.y + box.height).toBeLessThanOrEqual(740 + 0.5);
    expect(box.width).toBeGreaterThan(300);
    expect(await frame.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    // The decoded picture is sharp enough for the screen: the app's full width, not a low layer.
    await expect
      .poll(() => frame.evaluate('document.querySelector("video").videoWidth'), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(390);

    // A touch on the counter reaches the app, and the streamed pixels show it.
    await expect.poll(() => page.evaluate('window.player.control?.inControl')).toBe(true);
    const start = (await appState(page, sessionId)).count;
    const at = await appPointOnPage(frame, DEMO_COUNTER.x, DEMO_COUNTER.y);
    const before = await videoPixel(frame, DEMO_COUNTER.x, DEMO_COUNTER.y);
    await page.touchscreen.tap(at.x, at.y);
    await expect.poll(async () => (await appState(page, sessionId)).count).toBe(start + 1);
    await expect
      .poll(async () => colorDistance(await videoPixel(frame, DEMO_COUNTER.x, DEMO_COUNTER.y), before))
      .toBeGreaterThan(60);
  } finally {
    await context.close();
  }
});
