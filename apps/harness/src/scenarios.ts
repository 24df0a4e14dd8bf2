import { DEMO_CANVAS, DEMO_COUNTER, DEMO_TEXT_FIELD } from '@offload/testkit';
import type { Page } from 'playwright-core';

/** Where the demo app's widgets are (normalised to its screen). */
const COUNTER = DEMO_COUNTER;
const TEXT = DEMO_TEXT_FIELD;
const CANVAS = DEMO_CANVAS;

export const SCENARIOS = ['taps', 'swipes', 'typing', 'idle', 'mixed'] as const;
export type Scenario = (typeof SCENARIOS)[number];

async function point(page: Page, nx: number, ny: number) {
  const b = (await page.getByTestId('stream').boundingBox())!;
  // The player sizes the video to the app's aspect, so no letterboxing to undo here.
  return { x: b.x + nx * b.width, y: b.y + ny * b.height };
}

const pause = (page: Page, ms: number) => page.waitForTimeout(ms);

/** One step of a scripted interaction; the runner repeats steps until time is up. */
export async function step(page: Page, scenario: Scenario, i: number): Promise<void> {
  const s = scenario === 'mixed' ? (['taps', 'swipes', 'typing'] as const)[i % 3]! : scenario;
  if (s === 'idle') return pause(page, 1000);
  if (s === 'taps') {
    const p = await point(page, COUNTER.x, COUNTER.y);
    await page.mouse.click(p.x, p.y);
    return pause(page, 500);
  }
  if (s === 'swipes') {
    const a = await point(page, CANVAS.x0, CANVAS.y0 + (i % 5) * 0.05);
    const b = await point(page, CANVAS.x1, CANVAS.y1 - (i % 5) * 0.05);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(b.x, b.y, { steps: 20 });
    await page.mouse.up();
    return pause(page, 300);
  }
  // typing: focus the field now and then, type a few characters.
  if (i % 10 === 0) {
    const p = await point(page, TEXT.x, TEXT.y);
    await page.mouse.click(p.x, p.y);
    await pause(page, 300);
  }
  await page.keyboard.type('offload ', { delay: 120 });
  return pause(page, 300);
}

/**
 * In the page (init script): frame times from requestVideoFrameCallback, to count freezes
 * (no new frame for over 200 ms while streaming) and measure fps independently of getStats.
 * A string, not a function: the TypeScript loader may wrap named functions in helpers that
 * do not exist in the page. The player may replace its <video>: it follows the current one.
 */
export const FRAME_TIMELINE_SCRIPT = `(() => {
  window.__frames = [];
  let watched = null;
  setInterval(() => {
    const v = document.querySelector('[data-testid="video"]');
    if (!v || v === watched) return;
    watched = v;
    const onFrame = (now, meta) => {
      if (watched !== v) return;
      window.__frames.push(performance.timeOrigin + meta.expectedDisplayTime);
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
  }, 200);
})();`;
