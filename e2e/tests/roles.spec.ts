import { DEMO_COUNTER } from '@offload/testkit';
import { expect, type Page, test } from '@playwright/test';
import {
  appPointOnPage,
  appState,
  colorDistance,
  openDemo,
  sessionIdOf,
  sessionInfo,
  videoPixel,
  waitForStreaming,
} from '../lib/video.js';

// The demo app's counter button (its colour jumps with every tap), normalised to its screen.
const COUNTER = DEMO_COUNTER;

async function tapCounter(page: Page): Promise<void> {
  const at = await appPointOnPage(page, COUNTER.x, COUNTER.y);
  await page.mouse.click(at.x, at.y);
}

/**
 * Two browsers on one session (open mode: the creator has control, a later joiner watches).
 * The watcher's taps change nothing; control moves through the UI (ask → hand over), and
 * then the former watcher's taps reach the app while the former controller's do not.
 * Checked in the app's own state and in the streamed pixels both browsers decode.
 */
test('one controller, viewers watch; control is handed over through the UI', async ({ browser }) => {
  const { context, page: ann } = await openDemo(browser);
  const sessionId = sessionIdOf(ann);
  const boContext = await browser.newContext();
  const bo = await boContext.newPage();
  try {
    await expect(ann.getByTestId('control-status')).toHaveText('You have control');
    await bo.goto(`/?session=${sessionId}`);
    await waitForStreaming(bo);
    await expect(bo.getByTestId('control-status')).toHaveText(/You are watching/);

    // The watcher taps: neither the app nor the picture changes.
    const start = (await appState(ann, sessionId)).count;
    const pixelBefore = await videoPixel(bo, COUNTER.x, COUNTER.y);
    await tapCounter(bo);
    await bo.waitForTimeout(1500);
    expect((await appState(ann, sessionId)).count).toBe(start);
    // (Unchanged within coding noise, which reached 33 once on a loaded box; a tap moves it > 60.)
    expect(colorDistance(await videoPixel(bo, COUNTER.x, COUNTER.y), pixelBefore)).toBeLessThan(45);

    // The controller taps: the app counts it, and the watcher sees it.
    await tapCounter(ann);
    await expect.poll(async () => (await appState(ann, sessionId)).count).toBe(start + 1);
    await expect
      .poll(async () => colorDistance(await videoPixel(bo, COUNTER.x, COUNTER.y), pixelBefore))
      .toBeGreaterThan(60);

    // Bo asks, Ann hands over.
    await bo.getByTestId('control-request').click();
    await ann.getByTestId('control-grant').click();
    await expect(bo.getByTestId('control-status')).toHaveText('You have control');
    await expect(ann.getByTestId('control-status')).toHaveText(/You are watching/);

    // Now Bo's tap counts and shows up in both pictures; Ann's does not count.
    const annPixel = await videoPixel(ann, COUNTER.x, COUNTER.y);
    await tapCounter(bo);
    await expect.poll(async () => (await appState(ann, sessionId)).count).toBe(start + 2);
    await expect
      .poll(async () => colorDistance(await videoPixel(ann, COUNTER.x, COUNTER.y), annPixel))
      .toBeGreaterThan(60);
    await tapCounter(ann);
    await ann.waitForTimeout(1500);
    expect((await appState(ann, sessionId)).count).toBe(start + 2);
    // Bo's input came over its own data channel; the server dropped none of anyone's (clients
    // send nothing while watching, and the server would drop it if they did).
    const viewers = (await sessionInfo(ann, sessionId)).viewers;
    expect(viewers).toHaveLength(2);
    expect(viewers.map((v) => v.input.dataChannel).sort((a, b) => a - b)[0]).toBeGreaterThan(0);
    expect(viewers.map((v) => v.input.dropped)).toEqual([0, 0]);

    // Bo gives control up; Ann takes it back.
    await bo.getByTestId('control-release').click();
    await ann.getByTestId('control-take').click();
    await expect(ann.getByTestId('control-status')).toHaveText('You have control');
  } finally {
    await boContext.close();
    await context.close();
  }
});
