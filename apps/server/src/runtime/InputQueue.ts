import { MARKER } from '@offload/latency';
import { type InputEvent, isLossTolerant, type ScreenInfo } from '@offload/protocol';
import type { CDPSession } from 'playwright-core';
import type { Logger } from '../logger.js';
import { serverNow } from '../util/clock.js';
import { type CdpCommand, toCdpCommands } from './cdpInput.js';
import { EXPECT_TEXT_FUNCTION } from './markerScript.js';
import type { TouchChannel } from './TouchChannel.js';
import { TouchRoute } from './touchRoute.js';

/** Inputs waiting for their turn to be injected, beyond which new ones are shed. */
const MAX_QUEUED = 256;
/** Input commands the browser has not acknowledged yet, beyond which moves are skipped. */
const MAX_UNACKED = 16;

/**
 * The app browser's input, in order: each validated event becomes CDP Input.* commands (touch
 * apps' touches and pointers through the touch channel and the browser's touch emulator, see
 * TouchRoute), stamped so the page can tell which input it handled (the frame marker). Under
 * overload moves are coalesced and, past MAX_QUEUED, inputs shed, so the app never answers
 * real input seconds late.
 */
export class InputQueue {
  /** Injections, in order (see inject()). */
  #chain: Promise<void> = Promise.resolve();
  /** Stamp of the last injected input (serverNow() base, a multiple of MARKER.stepMs). */
  #lastStamp = 0;
  /** Touch apps: how touch sequences reach the browser. */
  readonly #touchRoute = new TouchRoute();
  /** Inputs queued in #chain, and CDP input commands sent but not yet acknowledged by the browser. */
  #queued = 0;
  #unacked = 0;
  /** Ticket of the newest move queued: an older queued move is superseded and skipped. */
  #moveTicket = 0;
  /**
   * Inputs handed to the browser, moves skipped because a newer one was queued or the browser
   * was behind, and inputs shed because the queue was full (see inject()).
   */
  readonly counts = { injected: 0, coalesced: 0, shed: 0 };

  constructor(
    private readonly o: {
      screen: ScreenInfo;
      /** The page's CDP session (keys, text, mouse on apps without touch). */
      cdp: CDPSession;
      /** Touch apps: the channel touch and pointer input goes through (see TouchChannel). */
      touch: TouchChannel | undefined;
      closed: () => boolean;
      log: Logger;
    },
  ) {
    // Touch apps: the emulator on before the first touch (see TouchRoute.prepare).
    if (o.touch) for (const c of this.#touchRoute.prepare()) o.touch.send(c);
  }

  /** Queues one event; its marker id, or undefined if it was shed. Never throws. */
  inject(event: InputEvent): number | undefined {
    // Overload (an input flood within the rate limit, a browser too busy to keep up): the
    // queue must not grow without bound, or the app answers real input seconds late. Moves
    // are superseded by the next one anyway; anything else is shed only past MAX_QUEUED.
    if (this.#queued >= MAX_QUEUED) {
      this.counts.shed++;
      return undefined;
    }
    const move = isLossTolerant(event);
    const ticket = move ? ++this.#moveTicket : 0;
    // Each input's DOM events carry a stamp unique to it (CDP sets event.timeStamp): a
    // multiple of MARKER.stepMs, at least one step after the last. The stamp in steps is the
    // input's marker id, which the page reads off the event itself (see markerScript), so the
    // input goes out at once, with no round trip to the page first.
    const step = MARKER.stepMs;
    const stamp = Math.max(Math.ceil(serverNow() / step) * step, this.#lastStamp + step);
    this.#lastStamp = stamp;
    const markId = stamp / step;
    const { touch, screen, cdp } = this.o;
    this.#queued++;
    this.#chain = this.#chain
      .then(async () => {
        this.#queued--;
        if (this.o.closed()) return;
        // Touch apps send pointer and touch input through the touch channel, whose commands
        // are never acknowledged: only the newest queued move counts there.
        const viaTouch = touch !== undefined && (event.type === 'touch' || event.type === 'pointer');
        if (move && (ticket !== this.#moveTicket || (!viaTouch && this.#unacked >= MAX_UNACKED))) {
          this.counts.coalesced++;
          return;
        }
        this.counts.injected++;
        // insertText carries no timestamp: the page learns the id first.
        if (event.type === 'text')
          await cdp.send('Runtime.evaluate', {
            expression: `window.${EXPECT_TEXT_FUNCTION}?.(${markId})`,
          });
        if (viaTouch) {
          const commands =
            event.type === 'touch'
              ? this.#touchRoute.commands(event, screen, stamp / 1000)
              : this.#touchRoute.pointer(event, screen, stamp / 1000);
          for (const c of commands) touch.send(c);
          if (this.#touchRoute.path === undefined && touch.wantsRotation) {
            await touch.rotate();
            this.#touchRoute.reset();
            for (const c of this.#touchRoute.prepare()) touch.send(c);
          }
          return;
        }
        // Not awaited: CDP keeps commands in order, and waiting for each renderer round trip
        // would serialise input behind rendering.
        for (const c of toCdpCommands(event, screen, stamp / 1000)) this.#send(c, event);
      })
      .catch((err: Error) => this.#failed(err, event));
    return markId;
  }

  #send(c: CdpCommand, event: InputEvent): void {
    this.#unacked++;
    this.o.cdp
      .send(c.method, c.params as never)
      .catch((err: Error) => this.#failed(err, event))
      .finally(() => this.#unacked--);
  }

  #failed(err: Error, event: InputEvent): void {
    if (!this.o.closed()) this.o.log.warn({ err: err.message, type: event.type }, 'input injection failed');
  }
}
