import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { CdpCommand } from './cdpInput.js';

/**
 * Sends after which the channel asks for a fresh CDP session (at the next moment no finger
 * is down).
 */
const ROTATE_AFTER = 256;

/**
 * The CDP session that touch input goes through on a touch app. Mouse events that the
 * browser's touch emulator turns into touches are never acknowledged (Chromium waits for an
 * ack of a mouse event that never reaches the page), so their pending replies would pile up
 * in Playwright and in the browser for as long as the session lives. This channel sends
 * without waiting and, once it has sent ROTATE_AFTER commands, can be swapped for a fresh
 * session: detaching the old one drops every pending reply on both sides.
 */
export class TouchChannel {
  #session: CDPSession;
  #sent = 0;
  #closed = false;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    session: CDPSession,
    readonly onError: (err: Error, method: string) => void,
  ) {
    this.#session = session;
  }

  static async open(
    context: BrowserContext,
    page: Page,
    onError: (err: Error, method: string) => void,
  ): Promise<TouchChannel> {
    return new TouchChannel(context, page, await context.newCDPSession(page), onError);
  }

  /** Sends one command without waiting for its reply. */
  send(c: CdpCommand): void {
    if (this.#closed) return;
    this.#sent++;
    const session = this.#session;
    session.send(c.method, c.params as never).catch((err: Error) => {
      // A reply dropped because we detached its session is what rotation is for.
      if (session === this.#session && !this.#closed) this.onError(err, c.method);
    });
  }

  /** Whether enough unanswered commands built up that a fresh session is worth it. */
  get wantsRotation(): boolean {
    return this.#sent >= ROTATE_AFTER;
  }

  /**
   * Swaps in a fresh session and detaches the old one. The browser's touch emulation belonged
   * to the old session and ends with it: the caller turns it on again before the next touch.
   */
  async rotate(): Promise<void> {
    if (this.#closed) return;
    const old = this.#session;
    this.#session = await this.context.newCDPSession(this.page);
    this.#sent = 0;
    await old.detach().catch(() => {});
  }

  close(): void {
    this.#closed = true;
    this.#session.detach().catch(() => {});
  }
}
