import { waitForStreaming } from '@offload/testkit';
import { type Browser, type BrowserContext, expect, type Page } from '@playwright/test';
import { PORT } from '../playwright.config.js';

/** The probes on the player's pixels, clock and counters (the test kit's). */
export {
  appPointOnPage,
  clientNow,
  colorDistance,
  frameDetail,
  framesDecoded,
  latencySamples,
  metricValue,
  VIDEO,
  videoPixel,
  watchPixelChange,
} from '@offload/testkit';
/** The client streams and its video has decoded a frame (the test kit's, for every runner). */
export { waitForStreaming };

/** The app's own state, read back through the server's debug endpoint (OFFLOAD_DEBUG=1). */
export async function appState(
  page: Page,
  sessionId: string,
): Promise<{ count: number; text: string; focused: string | null; strokes: number }> {
  const r = await page.request.get(`/debug/sessions/${sessionId}/app-state`);
  expect(r.ok()).toBe(true);
  return r.json();
}

export function sessionIdOf(page: Page): string {
  const id = new URL(page.url()).searchParams.get('session');
  if (!id) throw new Error(`no session id in ${page.url()}`);
  return id;
}

export interface SessionInfo {
  viewers: {
    id: string;
    input: { dataChannel: number; webSocket: number; dropped: number };
    consumers: { id: string; type: string; paused: boolean }[];
  }[];
  video: { codec: string; frames: number; bytes: number; keyframesRequested: number }[];
}

/** The server's view of a session (debug endpoint): viewers' input counts, video source stats. */
export async function sessionInfo(page: Page, sessionId: string): Promise<SessionInfo> {
  const r = await page.request.get(`/debug/sessions/${sessionId}`);
  expect(r.ok()).toBe(true);
  return r.json();
}

/**
 * Resolves once the shared e2e server runs no session. The specs share one server: each starts
 * once the sessions of the one before have ended (each is an app drawing at 120 Hz and its
 * encoder; on 2 cores, two of them at once starve the viewer and the SFU's bandwidth estimate,
 * and a viewer stays on the low simulcast layer). Specs with a server of their own wait too.
 */
export async function sharedServerIdle(): Promise<void> {
  await expect
    .poll(
      async () =>
        ((await (await fetch(`http://127.0.0.1:${PORT}/healthz`)).json()) as { sessions: number }).sessions,
      { timeout: 60_000, message: 'sessions of earlier specs still running' },
    )
    .toBe(0);
}

/**
 * A fresh browser context on the start page that opens the demo app and waits for its stream.
 * `prepare` runs on the context before its page opens (e.g. an init script standing in for a device).
 */
export async function openDemo(
  browser: Browser,
  { prepare }: { prepare?: (context: BrowserContext) => Promise<unknown> } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  await prepare?.(context);
  const page = await context.newPage();
  await sharedServerIdle();
  await page.goto('/');
  await page.getByTestId('start-demo').click();
  await waitForStreaming(page);
  return { context, page };
}

/** Control is this viewer's (nobody holds it, or it already does as the first to join). */
export async function takeControl(page: Page): Promise<void> {
  const take = page.getByTestId('control-take');
  if (await take.isVisible()) await take.click();
  await expect(page.getByTestId('control-bar')).toHaveAttribute('data-state', 'control');
}
