import { MARKER } from '@offload/latency';

/** Name of the page binding the marker script reports through. */
export const APPLIED_BINDING = '__offloadApplied';
/**
 * Page function the runtime calls before injecting text (`(markId)`): CDP's insertText
 * carries no timestamp, so the page learns a text input's id ahead of its `input` event.
 */
export const EXPECT_TEXT_FUNCTION = '__offloadExpectText';

/**
 * DOM events that carry the timestamp of the CDP input that caused them (capture phase,
 * before the app's handlers). Emulated touches carry their mouse event's stamp.
 */
const STAMPED_EVENTS = [
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
];
/** Events through which committed text takes effect. */
const TEXT_EVENTS = ['beforeinput', 'input'];

/**
 * The script the app runtime adds to every page of the app (top frame only). It draws the
 * frame marker (see @offload/latency MARKER) in a closed shadow root at the bottom-left
 * corner, above everything, ignoring pointer events: one pixel a cell, which the capture
 * hides again (see media/marker_strip.py).
 *
 * The runtime stamps every input with a time that is a multiple of MARKER.stepMs, and the
 * input's id is that stamp in steps: when the first trusted DOM event carrying a stamp
 * reaches the window (capture phase: before any app handler), the page repaints the marker
 * with that id — in the same task as the app's reaction, so both land in the same rendered
 * frame — and reports the time through a binding. No message from the server has to reach
 * the page before the input does. The marker always shows the highest id handled so far.
 */
export function markerScript(): string {
  const { cells, pagePx, modulo, stepMs } = MARKER;
  return `(() => {
  if (window !== window.top || window.${EXPECT_TEXT_FUNCTION}) return;
  const texts = [];
  const done = new Set();
  let shown = 0, els = [];
  const host = document.createElement('offload-marker');
  const root = host.attachShadow({ mode: 'closed' });
  const strip = document.createElement('div');
  strip.style.cssText = 'position:fixed;left:0;bottom:0;display:flex;z-index:2147483647;pointer-events:none;contain:strict;width:${cells * pagePx}px;height:${pagePx}px';
  for (let i = 0; i < ${cells}; i++) {
    const c = document.createElement('div');
    c.style.cssText = 'width:${pagePx}px;height:${pagePx}px;flex:none';
    strip.appendChild(c);
    els.push(c);
  }
  root.appendChild(strip);
  // Cells 0/1: white/black reference; then the value's bits, most significant first. Until
  // the first input, every cell is black: no reference, so no value is read (a page loaded
  // again must not show an old id).
  const paint = (id) => {
    const v = id % ${modulo};
    for (let i = 0; i < els.length; i++) {
      const on = i === 0 || (i > 1 && ((v >> (${cells - 1} - i)) & 1) === 1);
      els[i].style.background = on ? '#fff' : '#000';
    }
  };
  for (const c of els) c.style.background = '#000';
  const attach = () => { if (!host.isConnected && document.documentElement) document.documentElement.appendChild(host); };
  attach();
  new MutationObserver(attach).observe(document, { childList: true, subtree: true });
  window.${EXPECT_TEXT_FUNCTION} = (id) => {
    texts.push(id);
    if (texts.length > 64) texts.shift();
  };
  const applied = (id, now) => {
    if (done.has(id)) return;
    done.add(id);
    if (done.size > 512) done.delete(done.values().next().value);
    if (id > shown) { shown = id; attach(); paint(shown); }
    window.${APPLIED_BINDING}(id + ':' + now);
  };
  const onStamped = (e) => {
    if (!e.isTrusted) return;
    const now = performance.timeOrigin + performance.now();
    // Chromium turns a CDP timestamp (wall clock) into event time with the wall/monotonic
    // offset of the moment it dispatches, while performance.timeOrigin is fixed at page load:
    // if the wall clock was slewed (NTP) in between, event times drift from the stamps. The
    // drift is what Date.now() says beyond timeOrigin + now(); undo it (1 ms resolution).
    const t = performance.timeOrigin + e.timeStamp + (Date.now() - now);
    const id = Math.round(t / ${stepMs});
    // Only stamps are multiples of the step; anything else did not come from the runtime.
    if (Math.abs(t - id * ${stepMs}) > ${stepMs * 0.4} || Math.abs(now - t) > 10000) return;
    applied(id, now);
  };
  const onText = () => {
    if (texts.length) applied(texts.shift(), performance.timeOrigin + performance.now());
  };
  for (const t of ${JSON.stringify(STAMPED_EVENTS)}) window.addEventListener(t, onStamped, { capture: true, passive: true });
  for (const t of ${JSON.stringify(TEXT_EVENTS)}) window.addEventListener(t, onText, { capture: true, passive: true });
})();`;
}
