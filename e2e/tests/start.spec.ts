import { expect, test } from '@playwright/test';
import { frameDetail, sessionIdOf, waitForStreaming } from '../lib/video.js';

/**
 * The start page opens a web page of the user's choice where the server's URL policy allows
 * it, and says why when it does not (here: the built-in demo app, which is always allowed, and
 * a file: URL, which never is).
 */
test.describe('start page', () => {
  test('opens a URL the policy allows, and refuses one it does not with a clear error', async ({
    page,
    baseURL,
  }) => {
    const sessions = async () =>
      ((await (await page.request.get('/healthz')).json()) as { sessions: number }).sessions;
    // The specs share one server: start once the sessions of the one before have ended.
    await expect.poll(sessions, { timeout: 60_000 }).toBe(0);
    await page.goto('/');
    await page.getByTestId('page-url').fill('file:///etc/passwd');
    await page.getByTestId('page-submit').click();
    const error = page.getByTestId('error');
    await expect(error).toHaveAttribute('data-code', 'url-not-allowed');
    await expect(error).toContainText(/file/i);
    // Nothing started, and the page is still the start page.
    expect(await sessions()).toBe(0);

    await page.getByTestId('page-url').fill(`${baseURL}/demo/?still`);
    await page.getByTestId('page-submit').click();
    await waitForStreaming(page);
    expect(sessionIdOf(page)).toMatch(/\S/);
    // The page it opened is on the screen (the still demo has detail, not a blank frame).
    await expect.poll(() => frameDetail(page), { timeout: 15_000 }).toBeGreaterThan(15);
  });
});
