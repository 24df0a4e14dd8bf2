import { Modifier } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { decideKeyDown, isPrintableKey, type KeyLike, modifierBits } from './keyboard';

function key(key: string, extra: Partial<KeyLike> = {}): KeyLike {
  return {
    key,
    code: extra.code ?? '',
    repeat: false,
    isComposing: false,
    altKey: false,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...extra,
  };
}

describe('modifierBits', () => {
  it('uses the CDP bits', () => {
    expect(modifierBits(key('a'))).toBe(0);
    expect(modifierBits(key('A', { shiftKey: true, ctrlKey: true }))).toBe(Modifier.Shift | Modifier.Ctrl);
    expect(modifierBits(key('a', { altKey: true, metaKey: true }))).toBe(Modifier.Alt | Modifier.Meta);
  });
});

describe('isPrintableKey', () => {
  it('accepts single code points, including astral ones', () => {
    for (const k of ['a', 'Z', ' ', 'é', '你', '😀', '@']) expect(isPrintableKey(k), k).toBe(true);
  });
  it('rejects named keys and control characters', () => {
    for (const k of ['Enter', 'Backspace', 'ArrowLeft', 'Shift', '', '\u0007', 'F1']) {
      expect(isPrintableKey(k), k).toBe(false);
    }
  });
});

describe('decideKeyDown', () => {
  it('sends and prevents printable keys (the server types them)', () => {
    expect(decideKeyDown(key('a', { code: 'KeyA' }))).toEqual({
      send: true,
      preventDefault: true,
      modifiers: 0,
    });
    expect(decideKeyDown(key('A', { shiftKey: true }))).toEqual({
      send: true,
      preventDefault: true,
      modifiers: Modifier.Shift,
    });
  });

  it('sends and prevents editing and navigation keys', () => {
    for (const k of ['Enter', 'Backspace', 'Tab', 'ArrowUp', 'Escape', 'Delete', 'Home']) {
      expect(decideKeyDown(key(k)).send, k).toBe(true);
      expect(decideKeyDown(key(k)).preventDefault, k).toBe(true);
    }
  });

  it('sends app shortcuts such as ctrl+a and ctrl+z', () => {
    expect(decideKeyDown(key('a', { ctrlKey: true }))).toEqual({
      send: true,
      preventDefault: true,
      modifiers: Modifier.Ctrl,
    });
    expect(decideKeyDown(key('z', { metaKey: true })).send).toBe(true);
  });

  it('leaves IME-owned keys to composition/input', () => {
    const pass = { send: false, preventDefault: false, modifiers: 0 };
    expect(decideKeyDown(key('Process'))).toEqual(pass);
    expect(decideKeyDown(key('Unidentified'))).toEqual(pass);
    expect(decideKeyDown(key('a', { isComposing: true }))).toEqual(pass);
    expect(decideKeyDown(key('a', { keyCode: 229 }))).toEqual(pass);
    expect(decideKeyDown(key('Dead'))).toEqual(pass);
  });

  it('keeps browser shortcuts for the browser', () => {
    for (const e of [
      key('F5'),
      key('F12'),
      key('r', { ctrlKey: true }),
      key('R', { metaKey: true, shiftKey: true }),
      key('w', { ctrlKey: true }),
      key('I', { ctrlKey: true, shiftKey: true }),
      key('Tab', { ctrlKey: true }),
      key('3', { ctrlKey: true }),
    ]) {
      expect(decideKeyDown(e), `${e.key}`).toMatchObject({ send: false, preventDefault: false });
    }
  });

  it('lets paste happen so it arrives as text', () => {
    expect(decideKeyDown(key('v', { ctrlKey: true }))).toMatchObject({ send: false, preventDefault: false });
    expect(decideKeyDown(key('v', { metaKey: true }))).toMatchObject({ send: false, preventDefault: false });
    expect(decideKeyDown(key('Insert', { shiftKey: true }))).toMatchObject({ send: false });
  });

  it('strips the ctrl+alt that spells AltGr from the character it types', () => {
    expect(decideKeyDown(key('@', { ctrlKey: true, altKey: true, altGraph: true }))).toEqual({
      send: true,
      preventDefault: true,
      modifiers: 0,
    });
  });
});
