import type { PointerInput, TouchInput } from '@offload/protocol';
import { type CdpCommand, injectedTouch, type ScreenSize } from './cdpInput.js';

/**
 * How a touch sequence reaches the app browser.
 * - `emulated`: one finger, as CDP mouse events that the browser's touch emulator
 *   (`Emulation.setEmitTouchEventsForMouse`) turns into real touch events. The page gets
 *   them as fast as a mouse event (1–3 ms on our machines).
 * - `injected`: two or more fingers, as `Input.dispatchTouchEvent`. Chromium holds every
 *   such event until the page has produced its next frame (a "visual state" round trip), so
 *   on a page that animates it reaches the page 20–45 ms later than an emulated one.
 */
export type TouchPath = 'emulated' | 'injected';

/** The finger id a mouse pointer's primary button stands for on a touch app. */
const POINTER_FINGER = -1;

/** Turns the browser's mouse → touch emulation on, as a fresh start (see TouchRoute). */
export const EMULATION_ON: CdpCommand[] = [
  { method: 'Emulation.setEmitTouchEventsForMouse', params: { enabled: false } },
  { method: 'Emulation.setEmitTouchEventsForMouse', params: { enabled: true, configuration: 'mobile' } },
];

/**
 * Maps touch events to CDP commands, one sequence (first finger down → last finger up) at a
 * time. A sequence starts emulated; when a second finger lands, the emulated finger is
 * lifted and the sequence goes on injected with every finger (the app sees the first
 * finger end and all fingers start again: emulation has one finger only). A
 * `dispatchTouchEvent` switches the browser's emulator to injection, so the next emulated
 * sequence first turns emulation on again. Pure apart from its own state; unit-tested.
 */
export class TouchRoute {
  #path: TouchPath | undefined;
  /** Whether the browser's emulator is (still) in mouse → touch mode. */
  #emulating = false;
  /** Where the emulated finger is (CSS px). */
  #at = { x: 0, y: 0 };
  /** Which finger the emulated one is (the client's id; POINTER_FINGER for a mouse). */
  #finger: number | undefined;

  /** The active sequence's path, if a finger is down. */
  get path(): TouchPath | undefined {
    return this.#path;
  }

  /** The commands that deliver `e`, in order. `timestamp`: CDP event time (s since the epoch). */
  commands(e: TouchInput, screen: ScreenSize, timestamp?: number): CdpCommand[] {
    const px = (x: number) => Math.min(screen.width - 1, x * screen.width);
    const py = (y: number) => Math.min(screen.height - 1, y * screen.height);
    const ts = timestamp === undefined ? {} : { timestamp };
    const mouse = (type: string, buttons: number, x = this.#at.x, y = this.#at.y): CdpCommand => ({
      method: 'Input.dispatchMouseEvent',
      params: {
        type,
        x,
        y,
        button: 'left',
        buttons,
        clickCount: type === 'mouseMoved' ? 0 : 1,
        modifiers: e.modifiers,
        ...ts,
      },
    });
    const out: CdpCommand[] = [];
    // A start (as CDP wants it for every finger down at once), or the event as it is.
    const inject = (asStart: boolean) => {
      this.#path = 'injected';
      this.#emulating = false;
      out.push(injectedTouch(asStart ? { ...e, action: 'start' } : e, screen, timestamp));
    };

    if (this.#path === undefined) {
      // A new sequence. Anything but a start (a stray move/end) has nothing to act on.
      if (e.action !== 'start' || e.touches.length === 0) return out;
      if (e.touches.length > 1) {
        inject(true);
        return out;
      }
      if (!this.#emulating) {
        out.push(...EMULATION_ON);
        this.#emulating = true;
      }
      this.#path = 'emulated';
      this.#finger = e.touches[0]!.id;
      this.#at = { x: px(e.touches[0]!.x), y: py(e.touches[0]!.y) };
      out.push(mouse('mousePressed', 1));
      return out;
    }

    if (this.#path === 'emulated') {
      if (e.touches.length > 1) {
        // A second finger: lift the emulated one, go on with every finger injected.
        out.push(mouse('mouseReleased', 0));
        inject(true);
        return out;
      }
      if (e.action === 'move' && e.touches.length === 1) {
        this.#at = { x: px(e.touches[0]!.x), y: py(e.touches[0]!.y) };
        out.push(mouse('mouseMoved', 1));
        return out;
      }
      if (e.action === 'end' || e.action === 'cancel') {
        // The emulator has no cancel: the finger lifts where it was.
        out.push(mouse('mouseReleased', 0));
        if (e.touches.length === 0) this.#path = undefined;
        return out;
      }
      if (e.action === 'start' && e.touches.length === 1 && e.touches[0]!.id !== this.#finger) {
        // Another single finger starts: the emulated one's end was lost (a dropped packet, a
        // mouse button let go outside the player). Lift it, then this one is a new sequence —
        // or the emulator, still pressed, would swallow this press and the app miss a tap.
        out.push(mouse('mouseReleased', 0));
        this.#path = undefined;
        out.push(...this.commands(e, screen, timestamp));
        return out;
      }
      return out; // a start with the one finger again: nothing new
    }

    // Injected: every event goes as it is until the last finger lifts.
    inject(false);
    if ((e.action === 'end' || e.action === 'cancel') && e.touches.length === 0) this.#path = undefined;
    return out;
  }

  /**
   * A mouse pointer on a touch app: its primary button is one finger (a mouse-driven touch
   * sequence, the same emulated path); hovering and the other buttons do nothing there.
   */
  pointer(e: PointerInput, screen: ScreenSize, timestamp?: number): CdpCommand[] {
    const finger = (action: TouchInput['action'], down: boolean): TouchInput => ({
      type: 'touch',
      seq: e.seq,
      ts: e.ts,
      action,
      modifiers: e.modifiers,
      touches: down ? [{ id: POINTER_FINGER, x: e.x, y: e.y }] : [],
    });
    const pointerDown = this.#path === 'emulated' && this.#finger === POINTER_FINGER;
    if (e.action === 'down' && e.button === 0) return this.commands(finger('start', true), screen, timestamp);
    if (e.action === 'move' && pointerDown && e.buttons & 1)
      return this.commands(finger('move', true), screen, timestamp);
    if (
      (e.action === 'up' || e.action === 'cancel') &&
      pointerDown &&
      (e.button === 0 || e.action === 'cancel')
    )
      return this.commands(finger('end', false), screen, timestamp);
    return [];
  }

  /** The browser's emulator state was lost (a new CDP session): the next sequence turns it on again. */
  reset(): void {
    this.#path = undefined;
    this.#emulating = false;
  }

  /**
   * Turns emulation on ahead of the first touch (its first use costs the page ~15–20 ms):
   * the commands to send now; the next sequence then needs none.
   */
  prepare(): CdpCommand[] {
    if (this.#emulating || this.#path !== undefined) return [];
    this.#emulating = true;
    return EMULATION_ON;
  }
}
