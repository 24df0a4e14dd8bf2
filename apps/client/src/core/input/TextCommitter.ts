/**
 * Turns the hidden textarea's composition and input events into committed text, exactly once.
 *
 * Keys already sent as key events are prevented, so they never produce `input`; what still
 * arrives is IME output (compositionend), paste, dictation, on-screen keyboards that report
 * keys as "Unidentified", and programmatic insertion (Playwright's `insertText`). Some
 * browsers (Safari, older Chromium) follow compositionend with an `input` carrying the same
 * text; that echo is dropped.
 */
export class TextCommitter {
  #composing = false;
  /** Text just committed by compositionend, to drop an `input` echo of it. */
  #echo: string | null = null;

  compositionStart(): void {
    this.#composing = true;
    this.#echo = null;
  }

  /** Returns the text to send, or null. */
  compositionEnd(data: string | null): string | null {
    this.#composing = false;
    const text = data ?? '';
    this.#echo = text || null;
    return text || null;
  }

  /** Returns the text to send for an `input` event, or null. */
  input(inputType: string, data: string | null, isComposing: boolean): string | null {
    if (isComposing || this.#composing || inputType === 'insertCompositionText') return null;
    if (
      inputType !== 'insertText' &&
      inputType !== 'insertFromPaste' &&
      inputType !== 'insertReplacementText'
    ) {
      return null;
    }
    const text = data ?? '';
    if (this.#echo !== null && text === this.#echo) {
      this.#echo = null;
      return null;
    }
    this.#echo = null;
    return text || null;
  }

  /** A key event was sent: whatever input follows is new, not an echo. */
  keySent(): void {
    this.#echo = null;
  }
}
