import { videoFrameSize } from '@offload/latency';
import { MAX_TEXT_INPUT_LENGTH, type ScreenInfo, type TouchPoint } from '@offload/protocol';
import { FrameCoalescer, type FrameScheduler } from './FrameCoalescer';
import type { InputDraft } from './inputTypes';
import { decideKeyDown, isPrintableKey, modifierBits } from './keyboard';
import { appRect, appScale, contentRect, type NormalisedPoint, normalisePoint } from './letterbox';
import { buttonBit, pointerMode } from './pointerMode';
import { splitText } from './splitText';
import { TextCommitter } from './TextCommitter';
import { TouchTracker } from './TouchTracker';
import { wheelToAppPx } from './wheel';

export interface InputCaptureOptions {
  /** The video showing the app (the whole frame, its marker strip below the app clipped by the player). */
  video: HTMLVideoElement;
  /** Where the hidden textarea goes; must be positioned. Default: the video's parent. */
  container?: HTMLElement;
  /** Receives each event (StreamClient.sendInput). */
  send: (draft: InputDraft) => void;
  /** The session's screen: aspect ratio until the video has a size, and whether the app is touch. */
  getScreen: () => ScreenInfo | null;
  /** Default: requestAnimationFrame. */
  schedule?: FrameScheduler;
}

const MAX_KEY_FIELD = 32;

/**
 * Captures pointer, touch, wheel, keyboard and text input on the player and turns it into
 * protocol events in normalised app coordinates. Keyboard and text go through a visually
 * hidden textarea that keeps the focus, so IMEs, dead keys, paste and on-screen keyboards work.
 */
export class InputCapture {
  readonly #video: HTMLVideoElement;
  readonly #textarea: HTMLTextAreaElement;
  readonly #opts: InputCaptureOptions;
  readonly #coalescer: FrameCoalescer;
  readonly #touches = new TouchTracker();
  readonly #committer = new TextCommitter();
  /** Mouse-mode pointers whose `down` the app has seen, so an `up` is never orphaned. */
  readonly #pressed = new Set<number>();
  /** Keys whose keydown was sent (by `code`), to send their keyup and release them on blur. */
  readonly #keysDown = new Map<string, string>();
  readonly #cleanup: (() => void)[] = [];

  constructor(opts: InputCaptureOptions) {
    this.#opts = opts;
    this.#video = opts.video;
    const schedule = opts.schedule ?? ((cb: () => void) => void requestAnimationFrame(cb));
    this.#coalescer = new FrameCoalescer(opts.send, schedule);
    this.#textarea = createHiddenTextarea();
    (opts.container ?? this.#video.parentElement ?? document.body).append(this.#textarea);

    const v = this.#video;
    v.style.touchAction = 'none';
    this.#listen(v, 'pointerdown', (e) => this.#onPointerDown(e));
    this.#listen(v, 'pointermove', (e) => this.#onPointerMove(e));
    this.#listen(v, 'pointerup', (e) => this.#onPointerUp(e, 'up'));
    this.#listen(v, 'pointercancel', (e) => this.#onPointerUp(e, 'cancel'));
    this.#listen(v, 'lostpointercapture', (e) => this.#onPointerUp(e, 'cancel'));
    this.#listen(v, 'wheel', (e) => this.#onWheel(e), { passive: false });
    this.#listen(v, 'contextmenu', (e) => e.preventDefault());
    // Pointer events cover touch; this only stops Safari's double-tap zoom and scroll gestures.
    this.#listen(v, 'touchstart', (e) => e.preventDefault(), { passive: false });

    const t = this.#textarea;
    this.#listen(t, 'keydown', (e) => this.#onKeyDown(e));
    this.#listen(t, 'keyup', (e) => this.#onKeyUp(e));
    this.#listen(t, 'compositionstart', () => this.#committer.compositionStart());
    this.#listen(t, 'compositionend', (e) => {
      this.#commit(this.#committer.compositionEnd(e.data));
      this.#clearTextarea();
    });
    this.#listen(t, 'input', (e) => {
      const ie = e as InputEvent;
      const text = this.#committer.input(ie.inputType, ie.data, ie.isComposing);
      this.#commit(text);
      if (!ie.isComposing) this.#clearTextarea();
    });
    this.#listen(t, 'blur', () => this.#releaseAll());
    this.#listen(window, 'blur', () => this.#releaseAll());
    this.focus();
  }

  /** Focuses the hidden textarea; from a tap, this opens the on-screen keyboard on phones. */
  focus(): void {
    this.#textarea.focus({ preventScroll: true });
  }

  /** The hidden textarea (for tests and for the UI's keyboard button). */
  get textarea(): HTMLTextAreaElement {
    return this.#textarea;
  }

  /** Removes every listener and the textarea; releases held keys first. Idempotent. */
  detach(): void {
    if (this.#cleanup.length === 0) return;
    this.#releaseAll();
    this.#coalescer.flush();
    for (const off of this.#cleanup.splice(0)) off();
    this.#textarea.remove();
  }

  #listen<K extends keyof HTMLElementEventMap>(
    target: HTMLElement | Window,
    type: K,
    handler: (e: HTMLElementEventMap[K]) => void,
    options?: AddEventListenerOptions,
  ): void {
    const fn = handler as EventListener;
    target.addEventListener(type, fn, options);
    this.#cleanup.push(() => target.removeEventListener(type, fn, options));
  }

  #point(e: { clientX: number; clientY: number }): NormalisedPoint {
    return normalisePoint(e.clientX, e.clientY, this.#content());
  }

  /** Where the app is on the page: the video's picture without the marker strip below it. */
  #content() {
    const screen = this.#opts.getScreen();
    if (!screen)
      return contentRect(
        this.#video.getBoundingClientRect(),
        this.#video.videoWidth,
        this.#video.videoHeight,
      );
    const frame = videoFrameSize(screen);
    const w = this.#video.videoWidth || frame.width;
    const h = this.#video.videoHeight || frame.height;
    return appRect(contentRect(this.#video.getBoundingClientRect(), w, h), screen);
  }

  #mode(e: PointerEvent): 'touch' | 'mouse' {
    return pointerMode(e.pointerType, this.#opts.getScreen()?.touch ?? false);
  }

  #touchPoint(e: PointerEvent, p: NormalisedPoint): Omit<TouchPoint, 'id'> {
    const point: Omit<TouchPoint, 'id'> = { x: p.x, y: p.y };
    // Mice report a 1x1 contact; only real contact sizes are worth sending.
    if (e.pointerType === 'touch' && e.width > 1 && e.height > 1) {
      // The protocol wants app px: scale the contact from client px by the letterbox ratio.
      const content = this.#content();
      const screen = this.#opts.getScreen();
      const sx = content.width > 0 && screen ? screen.width / content.width : 1;
      const sy = content.height > 0 && screen ? screen.height / content.height : 1;
      point.radiusX = Math.min(500, (e.width / 2) * sx);
      point.radiusY = Math.min(500, (e.height / 2) * sy);
    }
    return point;
  }

  #onPointerDown(e: PointerEvent): void {
    // Keeps the focus on the textarea (no focus change, no text selection, no emulated mouse events).
    e.preventDefault();
    if (e.pointerType !== 'touch') this.focus();
    const p = this.#point(e);
    if (!p.inside) return;
    const modifiers = modifierBits(e);
    if (this.#mode(e) === 'touch') {
      if (e.pointerType !== 'touch' && e.button !== 0) return;
      this.#capture(e.pointerId);
      this.#touches.start(e.pointerId, this.#touchPoint(e, p));
      this.#coalescer.push({ type: 'touch', action: 'start', touches: this.#touches.touches(), modifiers });
      return;
    }
    this.#capture(e.pointerId);
    this.#pressed.add(e.pointerId);
    this.#coalescer.push({
      type: 'pointer',
      action: 'down',
      x: p.x,
      y: p.y,
      button: clampButton(e.button),
      buttons: e.buttons & 31,
      modifiers,
    });
  }

  #onPointerMove(e: PointerEvent): void {
    const p = this.#point(e);
    const modifiers = modifierBits(e);
    if (this.#mode(e) === 'touch') {
      if (!this.#touches.move(e.pointerId, this.#touchPoint(e, p))) return;
      this.#coalescer.push({ type: 'touch', action: 'move', touches: this.#touches.touches(), modifiers });
      return;
    }
    const pressed = this.#pressed.has(e.pointerId);
    // A second mouse button pressed or released during a press arrives as a move (chorded buttons).
    if (pressed && e.button >= 0) {
      const down = (e.buttons & buttonBit(e.button)) !== 0;
      this.#coalescer.push({
        type: 'pointer',
        action: down ? 'down' : 'up',
        x: p.x,
        y: p.y,
        button: clampButton(e.button),
        buttons: e.buttons & 31,
        modifiers,
      });
      return;
    }
    // Hovering over the bars means nothing to the app; a drag keeps going, clamped to the edge.
    if (!pressed && !p.inside) return;
    this.#coalescer.push({
      type: 'pointer',
      action: 'move',
      x: p.x,
      y: p.y,
      buttons: e.buttons & 31,
      modifiers,
    });
  }

  #onPointerUp(e: PointerEvent, action: 'up' | 'cancel'): void {
    const modifiers = modifierBits(e);
    if (this.#touches.has(e.pointerId)) {
      this.#touches.end(e.pointerId);
      this.#coalescer.push({
        type: 'touch',
        action: action === 'up' ? 'end' : 'cancel',
        touches: this.#touches.touches(),
        modifiers,
      });
      return;
    }
    if (!this.#pressed.delete(e.pointerId)) return;
    const p = this.#point(e);
    this.#coalescer.push({
      type: 'pointer',
      action,
      x: p.x,
      y: p.y,
      button: clampButton(e.button),
      buttons: e.buttons & 31,
      modifiers,
    });
  }

  #capture(pointerId: number): void {
    try {
      this.#video.setPointerCapture(pointerId);
    } catch {
      // The pointer is already gone (e.g. a synthetic event); events still arrive while over the video.
    }
  }

  #onWheel(e: WheelEvent): void {
    e.preventDefault();
    const content = this.#content();
    const p = normalisePoint(e.clientX, e.clientY, content);
    if (!p.inside) return;
    const screen = this.#opts.getScreen();
    const app = { width: screen?.width ?? content.width, height: screen?.height ?? content.height };
    const { dx, dy } = wheelToAppPx(e, appScale(content, app.width, app.height), app);
    if (dx === 0 && dy === 0) return;
    this.#coalescer.push({ type: 'wheel', x: p.x, y: p.y, dx, dy, modifiers: modifierBits(e) });
  }

  #onKeyDown(e: KeyboardEvent): void {
    const decision = decideKeyDown({
      key: e.key,
      code: e.code,
      repeat: e.repeat,
      isComposing: e.isComposing,
      keyCode: e.keyCode,
      altKey: e.altKey,
      ctrlKey: e.ctrlKey,
      metaKey: e.metaKey,
      shiftKey: e.shiftKey,
      altGraph: e.getModifierState?.('AltGraph') ?? false,
    });
    if (decision.preventDefault) e.preventDefault();
    if (!decision.send || !e.key || e.key.length > MAX_KEY_FIELD) return;
    const code = e.code.slice(0, MAX_KEY_FIELD);
    this.#keysDown.set(code || e.key, e.key);
    this.#committer.keySent();
    this.#coalescer.push({
      type: 'key',
      action: 'down',
      code,
      key: e.key,
      repeat: e.repeat,
      modifiers: decision.modifiers,
    });
  }

  #onKeyUp(e: KeyboardEvent): void {
    const id = e.code.slice(0, MAX_KEY_FIELD) || e.key;
    if (!this.#keysDown.has(id)) return;
    this.#keysDown.delete(id);
    e.preventDefault();
    const altGraph = e.getModifierState?.('AltGraph') ?? false;
    const modifiers = altGraph && isPrintableKey(e.key) ? modifierBits(e) & ~3 : modifierBits(e);
    const key = e.key && e.key.length <= MAX_KEY_FIELD ? e.key : (this.#keysDown.get(id) ?? 'Unidentified');
    this.#coalescer.push({ type: 'key', action: 'up', code: e.code.slice(0, MAX_KEY_FIELD), key, modifiers });
  }

  #commit(text: string | null): void {
    if (!text) return;
    // The protocol caps one text event; a long paste is split (never inside a surrogate pair).
    for (const chunk of splitText(text, MAX_TEXT_INPUT_LENGTH))
      this.#coalescer.push({ type: 'text', text: chunk });
  }

  #clearTextarea(): void {
    this.#textarea.value = '';
  }

  /** Focus left the player: release held keys and fingers so nothing stays stuck in the app. */
  #releaseAll(): void {
    for (const [code, key] of this.#keysDown) {
      this.#coalescer.push({ type: 'key', action: 'up', code, key });
    }
    this.#keysDown.clear();
    if (this.#touches.size > 0) {
      this.#touches.clear();
      this.#coalescer.push({ type: 'touch', action: 'cancel', touches: [] });
    }
  }
}

function clampButton(button: number): number {
  return button >= 0 && button <= 4 ? button : 0;
}

function createHiddenTextarea(): HTMLTextAreaElement {
  const t = document.createElement('textarea');
  t.className = 'offload-keyboard-sink';
  t.setAttribute('aria-label', 'Keyboard input for the streamed app (Alt+Shift+K leaves it)');
  t.setAttribute('autocapitalize', 'off');
  t.setAttribute('autocomplete', 'off');
  t.setAttribute('autocorrect', 'off');
  t.spellcheck = false;
  // Focused by the player only (a tap, Enter on the frame): Tab never lands in it by itself.
  t.tabIndex = -1;
  t.dataset.testid = 'keyboard-sink';
  return t;
}
