/**
 * Windows virtual key codes by DOM `code`: CDP's Input.dispatchKeyEvent needs them for the
 * page to see a correct `keyCode` (many apps still read it). Letters and digits are computed.
 */
const NAMED: Record<string, number> = {
  Backspace: 8,
  Tab: 9,
  Enter: 13,
  NumpadEnter: 13,
  ShiftLeft: 16,
  ShiftRight: 16,
  ControlLeft: 17,
  ControlRight: 17,
  AltLeft: 18,
  AltRight: 18,
  Pause: 19,
  CapsLock: 20,
  Escape: 27,
  Space: 32,
  PageUp: 33,
  PageDown: 34,
  End: 35,
  Home: 36,
  ArrowLeft: 37,
  ArrowUp: 38,
  ArrowRight: 39,
  ArrowDown: 40,
  PrintScreen: 44,
  Insert: 45,
  Delete: 46,
  MetaLeft: 91,
  MetaRight: 92,
  ContextMenu: 93,
  NumpadMultiply: 106,
  NumpadAdd: 107,
  NumpadSubtract: 109,
  NumpadDecimal: 110,
  NumpadDivide: 111,
  NumLock: 144,
  ScrollLock: 145,
  Semicolon: 186,
  Equal: 187,
  Comma: 188,
  Minus: 189,
  Period: 190,
  Slash: 191,
  Backquote: 192,
  BracketLeft: 219,
  Backslash: 220,
  BracketRight: 221,
  Quote: 222,
  IntlBackslash: 226,
};

export function virtualKeyCode(code: string, key: string): number {
  const named = NAMED[code];
  if (named !== undefined) return named;
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return m[1]!.charCodeAt(0);
  m = /^Digit([0-9])$/.exec(code);
  if (m) return m[1]!.charCodeAt(0);
  m = /^Numpad([0-9])$/.exec(code);
  if (m) return 96 + Number(m[1]);
  m = /^F([1-9]|1[0-9]|2[0-4])$/.exec(code);
  if (m) return 111 + Number(m[1]);
  // No code (virtual keyboards): derive from a letter or digit key, else unknown (0).
  if (/^[a-z]$/i.test(key)) return key.toUpperCase().charCodeAt(0);
  if (/^[0-9]$/.test(key)) return key.charCodeAt(0);
  return 0;
}

/** `location` for CDP: 1 left, 2 right, 3 numpad. */
export function keyLocation(code: string): number {
  if (code.endsWith('Left')) return /^(Shift|Control|Alt|Meta)/.test(code) ? 1 : 0;
  if (code.endsWith('Right')) return /^(Shift|Control|Alt|Meta)/.test(code) ? 2 : 0;
  return code.startsWith('Numpad') ? 3 : 0;
}
