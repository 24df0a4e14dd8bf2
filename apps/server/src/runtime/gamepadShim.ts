/** The page function the server calls with a pad's state (see GAMEPAD_SHIM). */
export const GAMEPAD_HOOK = '__offloadGamepad';

/**
 * The app page's Gamepad API, fed by the controller's pads: `navigator.getGamepads()` returns
 * them (standard mapping: `buttons` with pressed/touched/value, `axes`, `timestamp`, `connected`),
 * and `gamepadconnected` / `gamepaddisconnected` fire on window as a pad comes and goes. Runs
 * before the app's own scripts (an init script); the server calls GAMEPAD_HOOK with each state.
 * A shim, because Chromium takes no virtual gamepad from CDP: a real one would be a kernel
 * device (/dev/uinput, root and host-wide), seen by every browser on the host.
 */
export const GAMEPAD_SHIM = `(() => {
  const pads = [null, null, null, null];
  const snapshot = (s) => Object.freeze({
    id: s.id,
    index: s.index,
    connected: true,
    mapping: 'standard',
    timestamp: performance.now(),
    axes: Object.freeze(s.axes.slice()),
    buttons: Object.freeze(s.buttons.map((v) => Object.freeze({ pressed: v > 0.5, touched: v > 0, value: v }))),
    vibrationActuator: null,
  });
  const fire = (type, gamepad) => {
    const e = new Event(type);
    Object.defineProperty(e, 'gamepad', { value: gamepad });
    dispatchEvent(e);
  };
  Object.defineProperty(Navigator.prototype, 'getGamepads', {
    configurable: true,
    value: function getGamepads() { return pads.slice(); },
  });
  Object.defineProperty(globalThis, '${GAMEPAD_HOOK}', {
    value: (s) => {
      const was = pads[s.index];
      if (!s.connected) {
        pads[s.index] = null;
        if (was) fire('gamepaddisconnected', Object.freeze({ ...was, connected: false }));
        return;
      }
      pads[s.index] = snapshot(s);
      if (!was) fire('gamepadconnected', pads[s.index]);
    },
  });
})();`;
