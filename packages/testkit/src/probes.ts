import type { Frame, Page } from 'playwright-core';

/** The player's page, or its frame when it is embedded in another page. */
export type PlayerScope = Page | Frame;

/**
 * In-page probes on the player, for e2e tests, benchmarks and the harness: they read the
 * streamed pixels (never the DOM of the app) and the client's own clock and counters.
 */

/** The player's <video> (the whole frame: the app, and the marker strip below it). */
export const VIDEO = '[data-testid="video"]';

/** Where an app point (normalised 0..1) lies on the page: the player's screen box shows the app, exactly. */
export async function appPointOnPage(
  page: PlayerScope,
  nx: number,
  ny: number,
): Promise<{ x: number; y: number }> {
  const r = (await page.getByTestId('stream').boundingBox())!;
  return { x: r.x + nx * r.width, y: r.y + ny * r.height };
}

/** Mean RGB of a 6x6 patch of the received video frame around an app point (reads pixels, not the DOM). */
export async function videoPixel(
  page: PlayerScope,
  nx: number,
  ny: number,
): Promise<[number, number, number]> {
  return page.locator(VIDEO).evaluate(
    (el, [nx, ny]) => {
      const v = el as HTMLVideoElement;
      // The app's height in video px: the frame minus the marker strip below the app (the
      // player sets --frame-ratio = frame height / app height).
      const ratio = Number(getComputedStyle(v.closest('.frame')!).getPropertyValue('--frame-ratio')) || 1;
      const c = document.createElement('canvas');
      c.width = v.videoWidth;
      c.height = v.videoHeight;
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(v, 0, 0);
      const x = Math.round(nx * v.videoWidth) - 3;
      const y = Math.round((ny * v.videoHeight) / ratio) - 3;
      const d = ctx.getImageData(x, y, 6, 6).data;
      const sum = [0, 0, 0];
      for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k]! += d[i + k]!;
      return sum.map((s) => Math.round(s / (d.length / 4))) as [number, number, number];
    },
    [nx, ny] as const,
  );
}

/** Standard deviation of luma over a coarse grid of the frame: ~0 for a blank (black/grey) frame. */
export async function frameDetail(page: Page): Promise<number> {
  return page.locator(VIDEO).evaluate((el) => {
    const v = el as HTMLVideoElement;
    const c = document.createElement('canvas');
    c.width = 72;
    c.height = 128;
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(v, 0, 0, 72, 128);
    const d = ctx.getImageData(0, 0, 72, 128).data;
    const ys: number[] = [];
    for (let i = 0; i < d.length; i += 4) ys.push(0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!);
    const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
    return Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
  });
}

/** Frames the video element has decoded so far. */
export async function framesDecoded(page: Page): Promise<number> {
  return page
    .locator(VIDEO)
    .evaluate((el) => (el as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
}

export function colorDistance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
}

/**
 * Watches, in the page, for the streamed pixels at an app point to change from what the
 * current frame shows. Resolves once watching (the baseline is read before this returns, so
 * act only after awaiting it); `seenAt()` then resolves with the time (client clock, epoch
 * ms) at which the page first saw changed pixels in a presented frame. (Wall time, not the
 * frame's metadata: on a loaded machine the frame a callback describes can be older than the
 * one drawImage reads.)
 */
export async function watchPixelChange(
  page: Page,
  nx: number,
  ny: number,
  minDistance = 60,
): Promise<{ seenAt(): Promise<number> }> {
  await page.evaluate(
    ([nx, ny, minDistance]) => {
      const w = window as unknown as { __pixelSeenAt?: number };
      w.__pixelSeenAt = undefined;
      const v = document.querySelector('[data-testid="video"]') as HTMLVideoElement;
      // The app's height in video px (see videoPixel).
      const ratio = Number(getComputedStyle(v.closest('.frame')!).getPropertyValue('--frame-ratio')) || 1;
      const h = v.videoHeight / ratio;
      const c = document.createElement('canvas');
      c.width = 6;
      c.height = 6;
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      const read = () => {
        ctx.drawImage(v, Math.round(nx * v.videoWidth) - 3, Math.round(ny * h) - 3, 6, 6, 0, 0, 6, 6);
        const d = ctx.getImageData(0, 0, 6, 6).data;
        const m = [0, 0, 0];
        for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) m[k]! += d[i + k]! / 36;
        return m;
      };
      const base = read();
      const onFrame = () => {
        const m = read();
        if (Math.hypot(m[0]! - base[0]!, m[1]! - base[1]!, m[2]! - base[2]!) > minDistance) {
          w.__pixelSeenAt = performance.timeOrigin + performance.now();
        } else v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    },
    [nx, ny, minDistance] as const,
  );
  return {
    seenAt: async () =>
      (await (
        await page.waitForFunction(() => (window as unknown as { __pixelSeenAt?: number }).__pixelSeenAt)
      ).jsonValue()) as number,
  };
}

/** The client's clock (epoch ms), as the client stamps inputs. */
export function clientNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.timeOrigin + performance.now());
}

/** A counter's value in the server's Prometheus text. */
export async function metricValue(page: Page, line: RegExp): Promise<number> {
  const text = await (await page.request.get('/metrics')).text();
  const m = line.exec(text);
  return m ? Number(m[1]) : 0;
}
