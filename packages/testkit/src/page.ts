import type { LatencySample } from '@offload/latency';
import type { Page } from 'playwright-core';

/**
 * Waits until the thin client in `page` is streaming (its `data-offload-state` attribute) and
 * its video has decoded a frame.
 */
export async function waitForStreaming(page: Page, timeoutMs = 30_000): Promise<void> {
  await page.waitForFunction(
    () =>
      document.documentElement.dataset.offloadState === 'streaming' &&
      (document.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0,
    null,
    { timeout: timeoutMs },
  );
}

/** The input-to-photon samples the client's latency monitor holds (its test/debug hook). */
export function latencySamples(page: Page): Promise<LatencySample[]> {
  return page.evaluate(() =>
    (
      window as unknown as { __offload: { latency: { samples(): LatencySample[] } } }
    ).__offload.latency.samples(),
  );
}
