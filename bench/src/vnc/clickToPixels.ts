/**
 * The external click → pixels method, the same for every stack: in the viewer page, a
 * capture-phase `pointerdown` listener notes the press's event time, and a
 * requestAnimationFrame loop reads a few pixels of what the client shows (a <video> or a
 * <canvas>) until all of them differ from what they were before the press. The figure is
 * the time from the press's event time to the animation frame in which the page saw them all
 * changed. It knows nothing of either stack's internals.
 */
import type { Page } from 'playwright-core';

export interface ProbeOptions {
  /** CSS selector of the element showing the remote screen (its intrinsic pixels = the app's). */
  selector: string;
  /** Points to read, in app pixels. */
  points: { x: number; y: number }[];
  /**
   * The app's width: a <video> may decode a smaller simulcast layer, whose pixels are read at
   * its scale (videoWidth / appWidth). A <canvas> is read 1:1.
   */
  appWidth: number;
  /** Sum of |ΔR|+|ΔG|+|ΔB| above which a point counts as changed. */
  threshold: number;
}

/** Installs the probe (once per page). */
export async function installProbe(page: Page, o: ProbeOptions): Promise<void> {
  // tsx names functions with a `__name` helper that the page does not have.
  await page.evaluate('window.__name ??= (f) => f');
  await page.evaluate((o) => {
    type Src = HTMLVideoElement | HTMLCanvasElement;
    const w = window as unknown as { __probe: unknown };
    const canvas = document.createElement('canvas');
    canvas.width = o.points.length;
    canvas.height = 1;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    const read = (): number[] | undefined => {
      const src = document.querySelector(o.selector) as Src | null;
      if (!src) return undefined;
      const scale = src instanceof HTMLVideoElement ? src.videoWidth / o.appWidth : 1;
      if (!(scale > 0)) return undefined;
      o.points.forEach((p, i) => {
        ctx.drawImage(src, Math.floor(p.x * scale), Math.floor(p.y * scale), 1, 1, i, 0, 1, 1);
      });
      return Array.from(ctx.getImageData(0, 0, o.points.length, 1).data);
    };
    let state: { before: number[]; downAt?: number; seenAt?: number; done: boolean } | undefined;
    window.addEventListener(
      'pointerdown',
      (e) => {
        if (state && state.downAt === undefined) state.downAt = e.timeStamp;
      },
      { capture: true },
    );
    const changed = (px: number[], before: number[]) =>
      o.points.every(
        (_, i) =>
          Math.abs(px[i * 4]! - before[i * 4]!) +
            Math.abs(px[i * 4 + 1]! - before[i * 4 + 1]!) +
            Math.abs(px[i * 4 + 2]! - before[i * 4 + 2]!) >
          o.threshold,
      );
    const loop = () => {
      if (!state || state.done) return;
      if (state.downAt !== undefined) {
        const px = read();
        if (px && changed(px, state.before)) {
          state.seenAt = performance.now();
          state.done = true;
          return;
        }
      }
      requestAnimationFrame(loop);
    };
    w.__probe = {
      /** Reads the "before" pixels and starts watching. */
      arm() {
        const before = read();
        if (!before) return false;
        state = { before, done: false };
        requestAnimationFrame(loop);
        return true;
      },
      result() {
        return state?.seenAt !== undefined && state.downAt !== undefined ? state.seenAt - state.downAt : null;
      },
      stop() {
        if (state) state.done = true;
      },
    };
  }, o);
}

/**
 * One press at (x, y) page coordinates, the pointer already there: click → all points
 * changed (ms), or null if they did not within `timeoutMs`.
 */
export async function pressAndWatch(
  page: Page,
  x: number,
  y: number,
  timeoutMs = 2000,
): Promise<number | null> {
  await page.mouse.move(x, y);
  await page.waitForTimeout(150);
  const armed = await page.evaluate(() =>
    (window as unknown as { __probe: { arm(): boolean } }).__probe.arm(),
  );
  if (!armed) throw new Error('probe could not read the screen');
  await page.mouse.down();
  const deadline = Date.now() + timeoutMs;
  let ms: number | null = null;
  while (Date.now() < deadline) {
    await page.waitForTimeout(50);
    ms = await page.evaluate(() =>
      (window as unknown as { __probe: { result(): number | null } }).__probe.result(),
    );
    if (ms !== null) break;
  }
  await page.evaluate(() => (window as unknown as { __probe: { stop(): void } }).__probe.stop());
  await page.mouse.up();
  return ms;
}
