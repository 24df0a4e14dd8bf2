/** The parts of a KeyboardEvent a shortcut looks at. */
export interface ShortcutKey {
  key: string;
  code: string;
  altKey: boolean;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
}

/**
 * Alt+Shift+L toggles the latency HUD. Matched on the physical key (macOS turns Alt+Shift+L
 * into "Ò") or on the "L" the layout produces elsewhere.
 */
export function isHudShortcut(e: ShortcutKey): boolean {
  return (
    e.altKey &&
    e.shiftKey &&
    !e.ctrlKey &&
    !e.metaKey &&
    (e.code === 'KeyL' || e.key === 'L' || e.key === 'l')
  );
}

/**
 * Alt+Shift+K gives the keyboard back to the page: the focus leaves the app's keyboard sink
 * for the player's frame, from where Tab moves on (and Enter goes back in). Without it a
 * keyboard-only user could not leave the player: every other key, Tab included, goes to the app.
 */
export function isKeyboardReleaseShortcut(e: ShortcutKey): boolean {
  return (
    e.altKey &&
    e.shiftKey &&
    !e.ctrlKey &&
    !e.metaKey &&
    (e.code === 'KeyK' || e.key === 'K' || e.key === 'k')
  );
}

/** How the release shortcut is written for people (the player's hints, the docs). */
export const KEYBOARD_RELEASE_LABEL = 'Alt+Shift+K';

/**
 * Runs `action` on a matching keydown and hides the key from everything else: the listener is
 * on the window's capture phase, so it runs before InputCapture's textarea listener and
 * `stopImmediatePropagation` keeps the key from reaching the app. Held-key repeats are
 * swallowed without repeating the action. Returns a function that uninstalls it.
 */
export function installShortcut(
  target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>,
  matches: (e: ShortcutKey) => boolean,
  action: () => void,
): () => void {
  const swallow = (e: Event) => {
    e.preventDefault();
    e.stopImmediatePropagation();
  };
  const onKeyDown = (e: Event) => {
    const k = e as KeyboardEvent;
    if (!matches(k)) return;
    swallow(e);
    if (!k.repeat) action();
  };
  const onKeyUp = (e: Event) => {
    if (matches(e as KeyboardEvent)) swallow(e);
  };
  const capture = { capture: true };
  target.addEventListener('keydown', onKeyDown, capture);
  target.addEventListener('keyup', onKeyUp, capture);
  return () => {
    target.removeEventListener('keydown', onKeyDown, capture);
    target.removeEventListener('keyup', onKeyUp, capture);
  };
}
