/**
 * The external click → pixels method, the same for every stack: in the viewer page, a
 * capture-phase `pointerdown` listener notes the press's event time, and a
 * requestAnimationFrame loop reads a few pixels of what the client shows (a <video> or a
 * <canvas>) until all of them differ from what they were before the press. The figure is
 * the time from the press's event time to the animation frame in which the page saw them all
 * changed. It knows nothing of either stack's internals.
 */
import { DEMO_COUNTER_PX } from '@offload/testkit';
import type { Page } from 'playwright-core';

/**
 * Where the benches press and look on the demo app (app px): its counter button, pressed at
 * its middle, its colour read at eight points away from its text. Each tap turns the button's
 * hue by 137°: every point moves by far more than `threshold`.
 */
export const COUNTER_PROBE = {
  pressAt: {
    x: DEMO_COUNTER_PX.x + DEMO_COUNTER_PX.width / 2,
    y: DEMO_COUNTER_PX.y + DEMO_COUNTER_PX.height / 2,
  },
  points: [70, 110, 610, 650].flatMap((x) => [
    { x, y: DEMO_COUNTER_PX.y + 30 },
    { x, y: DEMO_COUNTER_PX.y + DEMO_COUNTER_PX.height - 30 },
  ]),
  threshold: 60,
} as const;

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
    // A canvas (noVNC) is read with drawImage: cheap. A <video> is read through WebCodecs: a
    // VideoFrame of the element's current frame, and only the rectangle around the points
    // copied out as YUV. drawImage(video) converts the whole frame to RGB first: 5 ms a frame
    // here, and it stalled the page for up to 300 ms now and then, which would charge the
    // measuring to the video stack.
    const box = {
      x: Math.min(...o.points.map((p) => p.x)),
      y: Math.min(...o.points.map((p) => p.y)),
      x1: Math.max(...o.points.map((p) => p.x)),
      y1: Math.max(...o.points.map((p) => p.y)),
    };
    const readVideo = (v: HTMLVideoElement): Promise<number[] | undefined> | undefined => {
      const scale = v.videoWidth / o.appWidth;
      if (!(scale > 0)) return undefined;
      let frame: VideoFrame;
      try {
        frame = new VideoFrame(v);
      } catch {
        return undefined;
      }
      const even = (n: number) => Math.floor(n / 2) * 2;
      const x0 = even(box.x * scale);
      const y0 = even(box.y * scale);
      const rect = {
        x: x0,
        y: y0,
        width: even(box.x1 * scale - x0) + 2,
        height: even(box.y1 * scale - y0) + 2,
      };
      const format = frame.format;
      if (format !== 'I420' && format !== 'NV12') {
        frame.close();
        return undefined;
      }
      const buf = new Uint8Array(frame.allocationSize({ rect }));
      return frame
        .copyTo(buf, { rect })
        .then(
          () => {
            const w = rect.width;
            const h = rect.height;
            const out: number[] = [];
            for (const p of o.points) {
              const px = Math.floor(p.x * scale) - x0;
              const py = Math.floor(p.y * scale) - y0;
              const Y = buf[py * w + px]!;
              const ci = (py >> 1) * (w >> 1) + (px >> 1);
              const U = format === 'I420' ? buf[w * h + ci]! : buf[w * h + ((py >> 1) * w + (px & ~1))]!;
              const V =
                format === 'I420'
                  ? buf[w * h + (w >> 1) * (h >> 1) + ci]!
                  : buf[w * h + ((py >> 1) * w + (px & ~1)) + 1]!;
              // BT.601 limited range, as H.264 from our encoder (and the browser's drawImage) uses.
              const c = 1.164 * (Y - 16);
              const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
              out.push(
                clamp(c + 1.596 * (V - 128)),
                clamp(c - 0.392 * (U - 128) - 0.813 * (V - 128)),
                clamp(c + 2.017 * (U - 128)),
                255,
              );
            }
            return out;
          },
          () => undefined,
        )
        .finally(() => frame.close());
    };
    const readCanvas = (c: HTMLCanvasElement): number[] => {
      o.points.forEach((p, i) => {
        ctx.drawImage(c, p.x, p.y, 1, 1, i, 0, 1, 1);
      });
      return Array.from(ctx.getImageData(0, 0, o.points.length, 1).data);
    };
    const read = (): Promise<number[] | undefined> | number[] | undefined => {
      const src = document.querySelector(o.selector) as Src | null;
      if (!src) return undefined;
      return src instanceof HTMLVideoElement ? readVideo(src) : readCanvas(src);
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
    const loop = async () => {
      if (!state || state.done) return;
      if (state.downAt !== undefined) {
        // The time the frame was taken, in this animation frame (the copy may finish later).
        const at = performance.now();
        const px = await read();
        if (px && changed(px, state.before) && !state.done) {
          state.seenAt = at;
          state.done = true;
          return;
        }
      }
      requestAnimationFrame(loop);
    };
    w.__probe = {
      /** The points' pixels (RGBA) as the probe reads them now. */
      read,
      /** Reads the "before" pixels and starts watching. */
      async arm() {
        const before = await read();
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
    (window as unknown as { __probe: { arm(): Promise<boolean> } }).__probe.arm(),
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
