import type { PointerInput, TouchInput } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { EMULATION_ON, TouchRoute } from './touchRoute.js';

const screen = { width: 720, height: 1280 };
const touch = (action: TouchInput['action'], ...points: [number, number, number][]): TouchInput => ({
  type: 'touch',
  seq: 1,
  ts: 0,
  action,
  modifiers: 0,
  touches: points.map(([id, x, y]) => ({ id, x, y })),
});
const methods = (r: TouchRoute, e: TouchInput) =>
  r.commands(e, screen, 1.5).map((c) => `${c.method.split('.')[1]}:${c.params.type ?? c.params.enabled}`);

describe('TouchRoute', () => {
  it('sends one finger as mouse events for the touch emulator, turning it on first', () => {
    const r = new TouchRoute();
    const down = r.commands(touch('start', [1, 0.5, 0.25]), screen, 1.5);
    expect(down.slice(0, 2)).toEqual(EMULATION_ON);
    expect(down[2]).toEqual({
      method: 'Input.dispatchMouseEvent',
      params: {
        type: 'mousePressed',
        x: 360,
        y: 320,
        button: 'left',
        buttons: 1,
        clickCount: 1,
        modifiers: 0,
        timestamp: 1.5,
      },
    });
    expect(r.path).toBe('emulated');
    expect(r.commands(touch('move', [1, 0.6, 0.25]), screen, 1.6)[0]!.params).toMatchObject({
      type: 'mouseMoved',
      x: 432,
      y: 320,
      buttons: 1,
      timestamp: 1.6,
    });
    // The finger lifts where it last was.
    expect(r.commands(touch('end'), screen, 1.7)[0]!.params).toMatchObject({
      type: 'mouseReleased',
      x: 432,
      y: 320,
    });
    expect(r.path).toBeUndefined();
    // Emulation stays on for the next finger.
    expect(methods(r, touch('start', [2, 0.1, 0.1]))).toEqual(['dispatchMouseEvent:mousePressed']);
  });

  it('goes on injected when a second finger lands, and turns emulation on again after', () => {
    const r = new TouchRoute();
    methods(r, touch('start', [1, 0.5, 0.5]));
    expect(methods(r, touch('start', [1, 0.5, 0.5], [2, 0.6, 0.6]))).toEqual([
      'dispatchMouseEvent:mouseReleased',
      'dispatchTouchEvent:touchStart',
    ]);
    expect(r.path).toBe('injected');
    const move = r.commands(touch('move', [1, 0.5, 0.4], [2, 0.6, 0.7]), screen, 2)[0]!;
    expect(move).toEqual({
      method: 'Input.dispatchTouchEvent',
      params: {
        type: 'touchMove',
        touchPoints: [
          { x: 360, y: 512, id: 1 },
          { x: 432, y: 896, id: 2 },
        ],
        modifiers: 0,
        timestamp: 2,
      },
    });
    expect(methods(r, touch('end', [2, 0.6, 0.7]))).toEqual(['dispatchTouchEvent:touchEnd']);
    expect(r.path).toBe('injected');
    expect(methods(r, touch('end'))).toEqual(['dispatchTouchEvent:touchEnd']);
    expect(r.path).toBeUndefined();
    // dispatchTouchEvent switched the browser's emulator to injection: on again first.
    expect(methods(r, touch('start', [3, 0.2, 0.2]))).toEqual([
      'setEmitTouchEventsForMouse:false',
      'setEmitTouchEventsForMouse:true',
      'dispatchMouseEvent:mousePressed',
    ]);
  });

  it('injects fingers that land together, and ignores strays outside a sequence', () => {
    const r = new TouchRoute();
    expect(methods(r, touch('move', [1, 0.5, 0.5]))).toEqual([]);
    expect(methods(r, touch('end'))).toEqual([]);
    expect(methods(r, touch('start'))).toEqual([]);
    expect(methods(r, touch('start', [1, 0.1, 0.1], [2, 0.2, 0.2]))).toEqual([
      'dispatchTouchEvent:touchStart',
    ]);
    expect(methods(r, touch('cancel'))).toEqual(['dispatchTouchEvent:touchCancel']);
    expect(r.path).toBeUndefined();
  });

  it('turns emulation on ahead of the first touch, once', () => {
    const r = new TouchRoute();
    expect(r.prepare()).toEqual(EMULATION_ON);
    expect(r.prepare()).toEqual([]);
    expect(methods(r, touch('start', [1, 0.5, 0.5]))).toEqual(['dispatchMouseEvent:mousePressed']);
  });

  it('lifts an emulated finger on cancel, and starts over after a reset', () => {
    const r = new TouchRoute();
    methods(r, touch('start', [1, 0.5, 0.5]));
    expect(methods(r, touch('cancel'))).toEqual(['dispatchMouseEvent:mouseReleased']);
    expect(r.path).toBeUndefined();
    r.reset(); // a fresh CDP session: the emulator is off again
    expect(methods(r, touch('start', [1, 0.5, 0.5]))[0]).toBe('setEmitTouchEventsForMouse:false');
  });

  it('lifts a finger whose end was lost when another finger starts, so the new press is not swallowed', () => {
    const r = new TouchRoute();
    r.prepare();
    methods(r, touch('start', [5, 0.1, 0.9])); // its end never arrives
    expect(methods(r, touch('start', [1, 0.5, 0.25]))).toEqual([
      'dispatchMouseEvent:mouseReleased',
      'dispatchMouseEvent:mousePressed',
    ]);
    expect(methods(r, touch('end'))).toEqual(['dispatchMouseEvent:mouseReleased']);
    // The same finger starting again is nothing new.
    methods(r, touch('start', [1, 0.5, 0.25]));
    expect(methods(r, touch('start', [1, 0.5, 0.25]))).toEqual([]);
  });

  it("drives a touch app's one finger with a mouse's primary button; hovering and other buttons do nothing", () => {
    const r = new TouchRoute();
    r.prepare();
    const ptr = (action: PointerInput['action'], button = 0, buttons = 1, x = 0.5): string[] =>
      r
        .pointer(
          { type: 'pointer', seq: 1, ts: 0, action, x, y: 0.25, button, buttons, modifiers: 0 },
          screen,
          2,
        )
        .map((c) => `${c.method.split('.')[1]}:${c.params.type}`);
    expect(ptr('move', 0, 0)).toEqual([]);
    expect(ptr('down', 2, 2)).toEqual([]);
    expect(ptr('up', 2, 0)).toEqual([]);
    expect(ptr('down')).toEqual(['dispatchMouseEvent:mousePressed']);
    expect(ptr('move', 0, 1, 0.6)).toEqual(['dispatchMouseEvent:mouseMoved']);
    expect(ptr('up', 0, 0)).toEqual(['dispatchMouseEvent:mouseReleased']);
    expect(r.path).toBeUndefined();
    // A press whose release was lost, then a touch: the touch is a tap of its own.
    ptr('down');
    expect(methods(r, touch('start', [1, 0.5, 0.25]))).toEqual([
      'dispatchMouseEvent:mouseReleased',
      'dispatchMouseEvent:mousePressed',
    ]);
    // And the lost press's late release does not lift the finger that is down now.
    expect(ptr('up', 0, 0)).toEqual([]);
    expect(r.path).toBe('emulated');
  });
});
