import { type InputEvent, Modifier, type TouchInput } from '@offload/protocol';
import { keyLocation, virtualKeyCode } from './keys.js';

/** One CDP command: what `CDPSession.send(method, params)` takes. */
export interface CdpCommand {
  method:
    | 'Input.dispatchMouseEvent'
    | 'Input.dispatchTouchEvent'
    | 'Input.dispatchKeyEvent'
    | 'Input.insertText'
    | 'Emulation.setEmitTouchEventsForMouse';
  params: Record<string, unknown>;
}

export interface ScreenSize {
  width: number;
  height: number;
}

const MOUSE_BUTTONS = ['left', 'middle', 'right', 'back', 'forward'] as const;

const MOUSE_TYPES = {
  down: 'mousePressed',
  up: 'mouseReleased',
  move: 'mouseMoved',
  cancel: 'mouseReleased',
} as const;
const TOUCH_TYPES = {
  start: 'touchStart',
  move: 'touchMove',
  end: 'touchEnd',
  cancel: 'touchCancel',
} as const;

/**
 * Maps one validated input event to the CDP command(s) that inject it as a trusted event.
 * Pure, so the mapping is unit-tested without a browser.
 */
export function toCdpCommands(e: InputEvent, screen: ScreenSize, timestamp?: number): CdpCommand[] {
  // CDP's event time (s since the epoch) becomes the DOM events' timeStamp.
  const ts = timestamp === undefined ? {} : { timestamp };
  const px = (x: number) => Math.min(screen.width - 1, x * screen.width);
  const py = (y: number) => Math.min(screen.height - 1, y * screen.height);
  switch (e.type) {
    case 'pointer':
      return [
        {
          method: 'Input.dispatchMouseEvent',
          params: {
            type: MOUSE_TYPES[e.action],
            x: px(e.x),
            y: py(e.y),
            // A move reports no changed button; CDP wants 'none' then.
            button: e.action === 'move' ? 'none' : MOUSE_BUTTONS[e.button],
            buttons: e.buttons,
            clickCount: e.action === 'move' ? 0 : 1,
            modifiers: e.modifiers,
            pointerType: 'mouse',
            ...ts,
          },
        },
      ];
    case 'touch':
      return [injectedTouch(e, screen, timestamp)];
    case 'wheel':
      return [
        {
          method: 'Input.dispatchMouseEvent',
          params: {
            type: 'mouseWheel',
            x: px(e.x),
            y: py(e.y),
            deltaX: e.dx,
            deltaY: e.dy,
            modifiers: e.modifiers,
            ...ts,
          },
        },
      ];
    case 'key': {
      const text = keyText(e.key, e.modifiers);
      const vk = virtualKeyCode(e.code, e.key);
      return [
        {
          method: 'Input.dispatchKeyEvent',
          params: {
            // keyDown with text types it; rawKeyDown is a key that produces no character.
            type: e.action === 'up' ? 'keyUp' : text ? 'keyDown' : 'rawKeyDown',
            key: e.key,
            code: e.code,
            // The page's keyCode. No nativeVirtualKeyCode: with one, a key the page does not
            // handle goes on to the browser's own shortcuts (Ctrl+T, Ctrl+N, Ctrl+O, Ctrl+W,
            // Alt+Home, F12, …: new tabs and windows, file dialogs, DevTools, the app replaced).
            // Without it the page gets every key and the browser none.
            windowsVirtualKeyCode: vk,
            modifiers: e.modifiers,
            autoRepeat: e.repeat,
            location: keyLocation(e.code),
            ...(e.action === 'down' && text ? { text, unmodifiedText: text } : {}),
            ...ts,
          },
        },
      ];
    }
    case 'text':
      return [{ method: 'Input.insertText', params: { text: e.text } }];
  }
}

/** A touch event as `Input.dispatchTouchEvent` (every finger; see TouchRoute for the faster path). */
export function injectedTouch(e: TouchInput, screen: ScreenSize, timestamp?: number): CdpCommand {
  const px = (x: number) => Math.min(screen.width - 1, x * screen.width);
  const py = (y: number) => Math.min(screen.height - 1, y * screen.height);
  return {
    method: 'Input.dispatchTouchEvent',
    params: {
      type: TOUCH_TYPES[e.action],
      touchPoints: e.touches.map((t) => ({
        x: px(t.x),
        y: py(t.y),
        id: t.id,
        ...(t.radiusX !== undefined && { radiusX: t.radiusX }),
        ...(t.radiusY !== undefined && { radiusY: t.radiusY }),
        ...(t.force !== undefined && { force: t.force }),
      })),
      modifiers: e.modifiers,
      ...(timestamp === undefined ? {} : { timestamp }),
    },
  };
}

/** The character a key types, if any: one printable character without Ctrl/Meta; Enter types "\r". */
export function keyText(key: string, modifiers: number): string | undefined {
  if (modifiers & (Modifier.Ctrl | Modifier.Meta)) return undefined;
  if (key === 'Enter') return '\r';
  return [...key].length === 1 ? key : undefined;
}
