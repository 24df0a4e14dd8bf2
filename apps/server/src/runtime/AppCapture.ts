import { CAPTURE_LIMITS } from '@offload/protocol';
import type { BrowserContext, CDPSession } from 'playwright-core';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { SafeEmitter } from '../util/SafeEmitter.js';
import type { AppCaptureEvents, AppMediaCapture, CaptureRefusal } from './AppRuntime.js';
import { CAPTURE_BINDING, CAPTURE_HOOK, captureShim } from './captureShim.js';

/** What the page's shim may say (it runs beside the app's code: nothing it sends is trusted). */
const PageMessage = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('request'),
    n: z.number().int().positive(),
    audio: z.boolean(),
    video: z.boolean(),
  }),
  z.object({ t: z.literal('stop'), n: z.number().int().positive() }),
]);
/** A binding payload longer than this is not the shim's. */
const MAX_PAGE_MESSAGE = 256;
/** Sound chunks waiting for the page beyond this are dropped (the page is behind: ~200 ms). */
const MAX_PCM_QUEUE = 10;

/**
 * The app page's end of the device's camera and microphone: installs the shim (captureShim)
 * and its binding, reports the page's requests and stops (validated), and hands the page the
 * answers, the camera's pictures and the microphone's sound. One picture in flight at a time
 * (a newer one replaces one waiting: a busy page drops frames, never queues them); sound in
 * order, at most MAX_PCM_QUEUE chunks waiting.
 */
export class AppCapture implements AppMediaCapture {
  readonly events = new SafeEmitter<AppCaptureEvents>('app-capture');
  readonly #cdp: CDPSession;
  readonly #log: Logger;
  #closed = false;
  #frameBusy = false;
  #nextFrame: [number, string] | undefined;
  #pcmBusy = false;
  readonly #pcm: [number, string][] = [];
  /** The page's requests not stopped yet: a page that goes away (reload, navigation) stops them. */
  readonly #open = new Set<number>();

  private constructor(cdp: CDPSession, log: Logger) {
    this.#cdp = cdp;
    this.#log = log;
    cdp.on('Runtime.bindingCalled', (e) => {
      if (e.name !== CAPTURE_BINDING || this.#closed) return;
      const text = String(e.payload);
      let parsed: ReturnType<typeof PageMessage.safeParse> | undefined;
      try {
        if (text.length <= MAX_PAGE_MESSAGE) parsed = PageMessage.safeParse(JSON.parse(text));
      } catch {}
      if (!parsed?.success) {
        this.#log.warn(
          { payload: text.slice(0, 80) },
          'the app page sent a capture message that is not the shim’s',
        );
        return;
      }
      const m = parsed.data;
      if (m.t === 'request') {
        this.#open.add(m.n);
        this.events.safeEmit('request', m.n, { audio: m.audio, video: m.video });
      } else {
        this.#open.delete(m.n);
        this.events.safeEmit('stop', m.n);
      }
    });
    // The page went (reloaded, navigated): its requests and tracks went with it.
    cdp.on('Runtime.executionContextsCleared', () => {
      const open = [...this.#open];
      this.#open.clear();
      for (const n of open) this.events.safeEmit('stop', n);
    });
  }

  /** Adds the shim to every page of the app (before the app's scripts) and its binding. */
  static async install(context: BrowserContext, cdp: CDPSession, log: Logger): Promise<AppCapture> {
    // The page gives up a little after the server would have (it refuses unanswered requests itself).
    await context.addInitScript(captureShim(CAPTURE_LIMITS.answerTimeoutMs + 5000));
    const capture = new AppCapture(cdp, log);
    await cdp.send('Runtime.addBinding', { name: CAPTURE_BINDING });
    return capture;
  }

  start(n: number): void {
    this.#call(`start(${n})`);
  }

  refuse(n: number, name: CaptureRefusal, message: string): void {
    this.#call(`refuse(${n}, ${JSON.stringify(name)}, ${JSON.stringify(message)})`);
  }

  end(n: number): void {
    this.#call(`end(${n})`);
  }

  videoFrame(n: number, jpeg: Buffer): void {
    if (this.#closed) return;
    this.#nextFrame = [n, jpeg.toString('base64')];
    this.#pumpFrames();
  }

  audioChunk(n: number, pcm: Buffer): void {
    if (this.#closed) return;
    this.#pcm.push([n, pcm.toString('base64')]);
    if (this.#pcm.length > MAX_PCM_QUEUE) this.#pcm.shift();
    this.#pumpPcm();
  }

  close(): void {
    this.#closed = true;
    this.#nextFrame = undefined;
    this.#pcm.length = 0;
  }

  #pumpFrames(): void {
    const next = this.#nextFrame;
    if (this.#frameBusy || !next || this.#closed) return;
    this.#nextFrame = undefined;
    this.#frameBusy = true;
    this.#eval(`frame(${next[0]}, "${next[1]}")`).finally(() => {
      this.#frameBusy = false;
      this.#pumpFrames();
    });
  }

  #pumpPcm(): void {
    const next = this.#pcm.shift();
    if (this.#pcmBusy || !next || this.#closed) {
      if (next) this.#pcm.unshift(next);
      return;
    }
    this.#pcmBusy = true;
    this.#eval(`pcm(${next[0]}, "${next[1]}")`).finally(() => {
      this.#pcmBusy = false;
      this.#pumpPcm();
    });
  }

  #call(expression: string): void {
    if (!this.#closed) void this.#eval(expression);
  }

  /** Calls the page's hook; a page that is gone or reloading loses the call (its requests died with it). */
  async #eval(call: string): Promise<void> {
    try {
      await this.#cdp.send('Runtime.evaluate', { expression: `globalThis.${CAPTURE_HOOK}?.${call}` });
    } catch (err) {
      if (!this.#closed)
        this.#log.debug({ err: (err as Error).message }, 'capture call to the app page failed');
    }
  }
}
