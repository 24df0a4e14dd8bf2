import { describe, expect, it, vi } from 'vitest';
import { installShortcut, isHudShortcut, isKeyboardReleaseShortcut, type ShortcutKey } from './shortcuts';

const key = (over: Partial<ShortcutKey> & { repeat?: boolean }, type = 'keydown') =>
  Object.assign(new Event(type, { cancelable: true }), {
    key: 'l',
    code: 'KeyL',
    altKey: false,
    shiftKey: false,
    ctrlKey: false,
    metaKey: false,
    repeat: false,
    ...over,
  });

describe('keyboard release shortcut', () => {
  it('is Alt+Shift+K and nothing else', () => {
    expect(isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true, code: 'KeyK', key: 'K' }))).toBe(
      true,
    );
    expect(isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true, code: 'KeyK', key: '' }))).toBe(
      true,
    ); // macOS
    expect(isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true, code: 'KeyV', key: 'K' }))).toBe(
      true,
    ); // Dvorak
    expect(isKeyboardReleaseShortcut(key({ shiftKey: true, code: 'KeyK', key: 'K' }))).toBe(false);
    expect(
      isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true, ctrlKey: true, code: 'KeyK' })),
    ).toBe(false);
    expect(isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true, key: 'Tab', code: 'Tab' }))).toBe(
      false,
    );
    expect(isKeyboardReleaseShortcut(key({ altKey: true, shiftKey: true }))).toBe(false);
  });
});

describe('HUD shortcut', () => {
  it('is Alt+Shift+L and nothing else', () => {
    expect(isHudShortcut(key({ altKey: true, shiftKey: true, key: 'L' }))).toBe(true);
    expect(isHudShortcut(key({ altKey: true, shiftKey: true, key: 'Ò' }))).toBe(true); // macOS
    expect(isHudShortcut(key({ altKey: true, shiftKey: true, code: 'KeyP', key: 'L' }))).toBe(true); // Dvorak
    expect(isHudShortcut(key({ shiftKey: true, key: 'L' }))).toBe(false);
    expect(isHudShortcut(key({ altKey: true, key: 'l' }))).toBe(false);
    expect(isHudShortcut(key({ altKey: true, shiftKey: true, ctrlKey: true }))).toBe(false);
    expect(isHudShortcut(key({ altKey: true, shiftKey: true, code: 'KeyK', key: 'K' }))).toBe(false);
  });

  it('runs the action and keeps the key from later listeners (the app)', () => {
    const target = new EventTarget();
    const toggle = vi.fn();
    const uninstall = installShortcut(target, isHudShortcut, toggle);
    const forwarded: string[] = [];
    target.addEventListener('keydown', (e) => forwarded.push((e as unknown as ShortcutKey).code));
    target.addEventListener('keyup', (e) => forwarded.push(`up:${(e as unknown as ShortcutKey).code}`));

    const down = key({ altKey: true, shiftKey: true });
    target.dispatchEvent(down);
    target.dispatchEvent(key({ altKey: true, shiftKey: true, repeat: true }));
    target.dispatchEvent(key({ altKey: true, shiftKey: true }, 'keyup'));
    expect(toggle).toHaveBeenCalledTimes(1);
    expect(down.defaultPrevented).toBe(true);
    expect(forwarded).toEqual([]);

    target.dispatchEvent(key({ code: 'KeyA', key: 'a' }));
    expect(forwarded).toEqual(['KeyA']);
    uninstall();
    target.dispatchEvent(key({ altKey: true, shiftKey: true }));
    expect(toggle).toHaveBeenCalledTimes(1);
    expect(forwarded).toEqual(['KeyA', 'KeyL']);
  });
});
