import { CHROMIUM_PATH, VIEWER_CHROMIUM_ARGS } from '@offload/testkit';
import { chromium } from 'playwright-core';

/** Renders the HTML report to a PNG with headless Chromium (the same page, pixel for pixel). */
export async function renderPng(htmlPath: string, pngPath: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: VIEWER_CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1050, height: 800 } });
    await page.goto(`file://${htmlPath}`);
    await page.screenshot({ path: pngPath, fullPage: true });
  } finally {
    await browser.close();
  }
}
