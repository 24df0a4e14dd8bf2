import AxeBuilder from '@axe-core/playwright';
import { DEMO_TEXT_FIELD } from '@offload/testkit';
import { expect, type Page, test } from '@playwright/test';
import { appPointOnPage, appState, openDemo, sessionIdOf } from '../lib/video.js';

/*
 * Accessibility: axe-core (WCAG 2.1 A and AA rules) on the start page, the playing player and
 * the HUD; and a keyboard-only user can get into the app's keyboard and out of it again.
 */

const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function violations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
  }));
}

test('the start page passes axe', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('start-demo')).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test('the player, its HUD, and the keyboard way in and out', async ({ browser }) => {
  const { context, page } = await openDemo(browser);
  try {
    expect(await violations(page)).toEqual([]);
    await page.getByTestId('hud-toggle').click();
    await expect(page.getByTestId('hud')).toBeVisible();
    expect(await violations(page)).toEqual([]);
    await page.getByTestId('hud-toggle').click();

    // Keyboard only, from here: into the app's text field, out with Alt+Shift+K, on with Tab,
    // back in with Enter. (The tap that focuses the app's field is the app's part, not the page's.)
    const sessionId = sessionIdOf(page);
    const active = () =>
      page.evaluate('document.activeElement?.dataset.testid ?? document.activeElement?.tagName');
    const field = await appPointOnPage(page, DEMO_TEXT_FIELD.x, DEMO_TEXT_FIELD.y);
    await expect(async () => {
      await page.mouse.click(field.x, field.y);
      await expect
        .poll(async () => (await appState(page, sessionId)).focused, { timeout: 4000 })
        .toBe('text');
    }).toPass({ timeout: 15_000 });
    expect(await active()).toBe('keyboard-sink');
    await page.keyboard.type('a');
    await expect.poll(async () => (await appState(page, sessionId)).text).toBe('a');

    // Out: the frame has the focus, visibly; what is typed now stays on the page.
    await page.keyboard.press('Alt+Shift+K');
    expect(await active()).toBe('player');
    expect(
      await page
        .getByTestId('player')
        .evaluate((el) => getComputedStyle(el).outlineStyle + getComputedStyle(el).outlineWidth),
    ).toBe('solid3px');
    await page.keyboard.type('b');
    // Tab moves on to the page's own controls (the app never saw the Tab or the "b").
    await page.keyboard.press('Tab');
    const next = await active();
    expect(next).not.toBe('keyboard-sink');
    expect(next).not.toBe('player');
    await page.keyboard.press('Shift+Tab');
    expect(await active()).toBe('player');
    // In again with Enter.
    await page.keyboard.press('Enter');
    expect(await active()).toBe('keyboard-sink');
    await page.keyboard.type('c');
    await expect.poll(async () => (await appState(page, sessionId)).text).toBe('ac');
  } finally {
    await context.close();
  }
});
