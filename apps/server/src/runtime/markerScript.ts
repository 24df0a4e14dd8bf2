import { MARKER, markerCells } from '@offload/latency';

/** Name of the page binding the marker script reports through. */
export const APPLIED_BINDING = '__offloadApplied';
/**
 * Page function the runtime calls before injecting an input: `(markId, t)`, where t (epoch
 * ms) is the timestamp the input's DOM events will carry, or null for text (which CDP cannot
 * timestamp).
 */
export const EXPECT_FUNCTION = '__offloadExpect';

/** Least gap between two inputs' CDP timestamps (ms): what lets the page tell them apart. */
export const STAMP_SPACING_MS = 4;

/** DOM events through which an injected input takes effect (capture phase, before the app's handlers). */
const EVENTS = [
  'pointerdown',
  'pointerup',
  'pointermove',
  'pointercancel',
  'touchstart',
  'touchmove',
  'touchend',
  'touchcancel',
  'mousedown',
  'mouseup',
  'mousemove',
  'wheel',
  'keydown',
  'keyup',
  'beforeinput',
  'input',
];

/**
 * The script the app runtime adds to every page of the app (top frame only). It draws the
 * frame marker (see @offload/latency MARKER) in a closed shadow root at the bottom-left
 * corner, above everything, ignoring pointer events. The runtime injects every input with a
 * unique timestamp and tells the page first which marker id goes with it; when the first DOM
 * event carrying that timestamp reaches the window (capture phase: before any app handler),
 * the page repaints the marker — in the same task as the app's reaction, so both land in the
 * same rendered frame — and reports the time through a binding. The marker always shows the
 * highest id handled so far.
 */
export function markerScript(): string {
  const cells = JSON.stringify(Array.from({ length: MARKER.modulo }, (_, v) => markerCells(v)));
  return `(() => {
  if (window !== window.top || window.${EXPECT_FUNCTION}) return;
  const CELLS = ${cells};
  const PX = ${MARKER.cellPx};
  const byTime = new Map();
  const texts = [];
  const done = new Set();
  let shown = 0, els = [];
  const host = document.createElement('offload-marker');
  const root = host.attachShadow({ mode: 'closed' });
  const strip = document.createElement('div');
  strip.style.cssText = 'position:fixed;left:0;bottom:0;display:flex;z-index:2147483647;pointer-events:none;contain:strict;width:' + (PX * ${MARKER.cells}) + 'px;height:' + PX + 'px';
  for (let i = 0; i < ${MARKER.cells}; i++) {
    const c = document.createElement('div');
    c.style.cssText = 'width:' + PX + 'px;height:' + PX + 'px;flex:none';
    strip.appendChild(c);
    els.push(c);
  }
  root.appendChild(strip);
  const paint = (v) => { const bits = CELLS[v % ${MARKER.modulo}]; for (let i = 0; i < els.length; i++) els[i].style.background = bits[i] ? '#fff' : '#000'; };
  paint(0);
  const attach = () => { if (!host.isConnected && document.documentElement) document.documentElement.appendChild(host); };
  attach();
  new MutationObserver(attach).observe(document, { childList: true, subtree: true });
  // Chromium turns a CDP timestamp (wall clock) into event time with the wall/monotonic
  // offset of the moment it dispatches, while performance.timeOrigin is fixed at page load:
  // if the wall clock is slewed (NTP) in between, event times drift from the stamps. The
  // drift is what Date.now() says beyond timeOrigin + now(); undo it (1 ms resolution).
  // Inputs are stamped at least ${STAMP_SPACING_MS} ms apart, so ±${STAMP_SPACING_MS / 2} ms finds one.
  const find = (eventTime) => {
    const t = eventTime + (Date.now() - (performance.timeOrigin + performance.now()));
    for (let k = Math.round(t) - ${STAMP_SPACING_MS}; k <= Math.round(t) + ${STAMP_SPACING_MS}; k++) {
      const e = byTime.get(k);
      if (e && Math.abs(e[0] - t) <= ${STAMP_SPACING_MS / 2}) return e[1];
    }
    return undefined;
  };
  window.${EXPECT_FUNCTION} = (id, t) => {
    if (t === null) texts.push(id); else byTime.set(Math.round(t), [t, id]);
    if (byTime.size > 512) byTime.delete(byTime.keys().next().value);
    if (texts.length > 64) texts.shift();
  };
  const applied = (id, now) => {
    if (done.has(id)) return;
    done.add(id);
    if (done.size > 512) done.delete(done.values().next().value);
    if (id > shown) { shown = id; attach(); paint(shown); }
    window.${APPLIED_BINDING}(id + ':' + now);
  };
  const onEvent = (e) => {
    const now = performance.timeOrigin + performance.now();
    const id = find(performance.timeOrigin + e.timeStamp);
    if (id !== undefined) return applied(id, now);
    if ((e.type === 'beforeinput' || e.type === 'input') && texts.length) applied(texts.shift(), now);
  };
  for (const t of ${JSON.stringify(EVENTS)}) window.addEventListener(t, onEvent, { capture: true, passive: true });
})();`;
}
