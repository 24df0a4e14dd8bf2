import { Modifier } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { keyText, toCdpCommands } from './cdpInput.js';
import { virtualKeyCode } from './keys.js';

const screen = { width: 720, height: 1280 };

describe('toCdpCommands', () => {
  it('maps a pointer press to a mouse press at app pixels', () => {
    const [c] = toCdpCommands(
      {
        type: 'pointer',
        seq: 1,
        ts: 0,
        action: 'down',
        x: 0.5,
        y: 0.25,
        button: 2,
        buttons: 2,
        modifiers: Modifier.Shift,
      },
      screen,
    );
    expect(c).toEqual({
      method: 'Input.dispatchMouseEvent',
      params: {
        type: 'mousePressed',
        x: 360,
        y: 320,
        button: 'right',
        buttons: 2,
        clickCount: 1,
        modifiers: Modifier.Shift,
        pointerType: 'mouse',
      },
    });
  });

  it('keeps the far edge inside the screen', () => {
    const [c] = toCdpCommands(
      { type: 'pointer', seq: 1, ts: 0, action: 'move', x: 1, y: 1, button: 0, buttons: 0, modifiers: 0 },
      screen,
    );
    expect(c!.params).toMatchObject({ type: 'mouseMoved', x: 719, y: 1279, button: 'none', clickCount: 0 });
  });

  it('maps multi-touch with every point', () => {
    const [c] = toCdpCommands(
      {
        type: 'touch',
        seq: 1,
        ts: 0,
        action: 'move',
        modifiers: 0,
        touches: [
          { id: 3, x: 0.1, y: 0.1 },
          { id: 7, x: 0.9, y: 0.5, force: 0.5 },
        ],
      },
      screen,
    );
    expect(c).toEqual({
      method: 'Input.dispatchTouchEvent',
      params: {
        type: 'touchMove',
        modifiers: 0,
        touchPoints: [
          { x: 72, y: 128, id: 3 },
          { x: 648, y: 640, id: 7, force: 0.5 },
        ],
      },
    });
  });

  it('maps the last finger up to a touchEnd with no points', () => {
    const [c] = toCdpCommands(
      { type: 'touch', seq: 1, ts: 0, action: 'end', modifiers: 0, touches: [] },
      screen,
    );
    expect(c!.params).toEqual({ type: 'touchEnd', touchPoints: [], modifiers: 0 });
  });

  it('maps wheel deltas', () => {
    const [c] = toCdpCommands(
      { type: 'wheel', seq: 1, ts: 0, x: 0.5, y: 0.5, dx: 0, dy: 120, modifiers: 0 },
      screen,
    );
    expect(c!.params).toMatchObject({ type: 'mouseWheel', deltaX: 0, deltaY: 120 });
  });

  it('types a printable key and gives it its key code', () => {
    const [down] = toCdpCommands(
      {
        type: 'key',
        seq: 1,
        ts: 0,
        action: 'down',
        code: 'KeyA',
        key: 'A',
        repeat: false,
        modifiers: Modifier.Shift,
      },
      screen,
    );
    expect(down!.params).toMatchObject({
      type: 'keyDown',
      key: 'A',
      code: 'KeyA',
      text: 'A',
      windowsVirtualKeyCode: 65,
    });
    const [up] = toCdpCommands(
      { type: 'key', seq: 2, ts: 0, action: 'up', code: 'KeyA', key: 'A', repeat: false, modifiers: 0 },
      screen,
    );
    expect(up!.params).toMatchObject({ type: 'keyUp' });
    expect(up!.params).not.toHaveProperty('text');
  });

  it('sends shortcuts and non-printing keys as raw key downs', () => {
    const [copy] = toCdpCommands(
      {
        type: 'key',
        seq: 1,
        ts: 0,
        action: 'down',
        code: 'KeyC',
        key: 'c',
        repeat: false,
        modifiers: Modifier.Ctrl,
      },
      screen,
    );
    expect(copy!.params).toMatchObject({ type: 'rawKeyDown', modifiers: Modifier.Ctrl });
    expect(copy!.params).not.toHaveProperty('text');
    const [left] = toCdpCommands(
      {
        type: 'key',
        seq: 1,
        ts: 0,
        action: 'down',
        code: 'ArrowLeft',
        key: 'ArrowLeft',
        repeat: true,
        modifiers: 0,
      },
      screen,
    );
    expect(left!.params).toMatchObject({ type: 'rawKeyDown', windowsVirtualKeyCode: 37, autoRepeat: true });
  });

  it('stamps events with the given time, which becomes their DOM timeStamp', () => {
    const [c] = toCdpCommands(
      { type: 'touch', seq: 1, ts: 0, action: 'start', modifiers: 0, touches: [] },
      screen,
      1234.5,
    );
    expect(c!.params).toMatchObject({ timestamp: 1234.5 });
    const [k] = toCdpCommands(
      { type: 'key', seq: 1, ts: 0, action: 'down', code: 'KeyA', key: 'a', repeat: false, modifiers: 0 },
      screen,
      9,
    );
    expect(k!.params).toMatchObject({ timestamp: 9 });
  });

  it('inserts committed text as is', () => {
    expect(toCdpCommands({ type: 'text', seq: 1, ts: 0, text: 'héllo 你好' }, screen)).toEqual([
      { method: 'Input.insertText', params: { text: 'héllo 你好' } },
    ]);
  });
});

describe('keys', () => {
  it('derives virtual key codes', () => {
    expect(virtualKeyCode('Digit7', '7')).toBe(55);
    expect(virtualKeyCode('F12', 'F12')).toBe(123);
    expect(virtualKeyCode('Numpad4', '4')).toBe(100);
    expect(virtualKeyCode('', 'q')).toBe(81);
    expect(virtualKeyCode('', 'é')).toBe(0);
  });

  it('knows which keys type text', () => {
    expect(keyText('é', 0)).toBe('é');
    expect(keyText('Enter', 0)).toBe('\r');
    expect(keyText('Tab', 0)).toBeUndefined();
    expect(keyText('a', Modifier.Meta)).toBeUndefined();
  });
});
