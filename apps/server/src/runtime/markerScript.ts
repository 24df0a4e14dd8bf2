import { MARKER, markerCells } from '@offload/latency';

/** Name of the page binding the marker script reports through. */
export const APPLIED_BINDING = '__offloadApplied';
/** Page function the runtime calls before injecting an input, with that input's marker id. */
export const PENDING_FUNCTION = '__offloadPending';

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
 * corner, above everything, ignoring pointer events. When the first DOM event of an injected
 * input reaches the window (capture phase: before any app handler), it repaints the marker
 * with that input's id — in the same task as the app's reaction, so both land in the same
 * rendered frame — and reports the time through a binding.
 */
export function markerScript(): string {
  const cells = JSON.stringify(Array.from({ length: MARKER.modulo }, (_, v) => markerCells(v)));
  return `(() => {
  if (window !== window.top || window.${PENDING_FUNCTION}) return;
  const CELLS = ${cells};
  const PX = ${MARKER.cellPx};
  let pending = -1, shown = -1, els = [];
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
  const attach = () => { if (!host.isConnected) document.documentElement.appendChild(host); };
  if (document.documentElement) attach(); else document.addEventListener('readystatechange', attach, { once: true });
  new MutationObserver(attach).observe(document, { childList: true, subtree: false });
  window.${PENDING_FUNCTION} = (id) => { pending = id; };
  const onEvent = () => {
    if (pending < 0 || pending === shown) return;
    shown = pending;
    attach();
    paint(shown);
    window.${APPLIED_BINDING}(shown + ':' + (performance.timeOrigin + performance.now()));
  };
  for (const t of ${JSON.stringify(EVENTS)}) window.addEventListener(t, onEvent, { capture: true, passive: true });
})();`;
}
