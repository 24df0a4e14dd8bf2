import { Modifier } from '@offload/protocol';

/** The parts of a KeyboardEvent (or PointerEvent/WheelEvent) the input code reads. */
export interface ModifierState {
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export interface KeyLike extends ModifierState {
  key: string;
  code: string;
  repeat: boolean;
  isComposing: boolean;
  /** Legacy keyCode: 229 means "an IME is handling this key". */
  keyCode?: number;
  /** AltGr on Windows/Linux reports ctrl+alt; this tells it apart from a real shortcut. */
  altGraph?: boolean;
}

export function modifierBits(e: ModifierState): number {
  return (
    (e.altKey ? Modifier.Alt : 0) |
    (e.ctrlKey ? Modifier.Ctrl : 0) |
    (e.metaKey ? Modifier.Meta : 0) |
    (e.shiftKey ? Modifier.Shift : 0)
  );
}

export interface KeyDecision {
  /** Send a key event to the app. */
  send: boolean;
  /** Stop the browser's default action (typing into the hidden textarea, tab focus, …). */
  preventDefault: boolean;
  /** Modifier bits to send with it (AltGr characters drop ctrl+alt, which are only how AltGr is spelled). */
  modifiers: number;
}

/** A single Unicode code point, i.e. a character key rather than a named key like "Enter". */
export function isPrintableKey(key: string): boolean {
  if (key.length === 0 || key.length > 2) return false;
  const cp = key.codePointAt(0)!;
  return [...key].length === 1 && cp >= 0x20 && cp !== 0x7f;
}

/** Shortcuts the user keeps for the browser itself: never sent, never prevented. */
function isBrowserShortcut(e: KeyLike): boolean {
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (k === 'F5' || k === 'F11' || k === 'F12') return true;
  const accel = e.ctrlKey || e.metaKey;
  if (!accel) return false;
  // Reload, close/new tab or window, address bar, quit, tab switching, devtools.
  if (['r', 'w', 't', 'n', 'l', 'q', 'Tab', 'PageUp', 'PageDown'].includes(k)) return true;
  if (e.shiftKey && ['i', 'j', 'c'].includes(k)) return true;
  if (e.metaKey && e.altKey && k === 'i') return true;
  return /^[1-9]$/.test(k);
}

/** Paste shortcuts: the browser must run them so the paste arrives as `text` (the app's clipboard is the server's). */
function isPaste(e: KeyLike): boolean {
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  return ((e.ctrlKey || e.metaKey) && !e.altKey && k === 'v') || (e.shiftKey && k === 'Insert');
}

/**
 * Decides what to do with a keydown. The rule that avoids double typing: a key we send is
 * prevented, so the textarea never sees it and no `input` event follows; a key an IME owns
 * (composing, "Process", "Unidentified", keyCode 229, dead keys) is neither sent nor
 * prevented, and the text arrives through composition/input as a `text` event instead.
 */
export function decideKeyDown(e: KeyLike): KeyDecision {
  const pass: KeyDecision = { send: false, preventDefault: false, modifiers: 0 };
  if (
    e.isComposing ||
    e.keyCode === 229 ||
    e.key === 'Process' ||
    e.key === 'Unidentified' ||
    e.key === 'Dead'
  ) {
    return pass;
  }
  if (isBrowserShortcut(e) || isPaste(e)) return pass;
  let modifiers = modifierBits(e);
  if (e.altGraph && isPrintableKey(e.key)) modifiers &= ~(Modifier.Ctrl | Modifier.Alt);
  return { send: true, preventDefault: true, modifiers };
}
