import { createPlayer } from './create.js';
import type { OffloadPlayer, PlayerEvents } from './player.js';

const EVENTS: (keyof PlayerEvents)[] = [
  'ready',
  'state',
  'session',
  'control',
  'control-requested',
  'error',
  'latency',
  'stats',
  'muted',
];

/**
 * `<offload-player server="https://offload.example.com" session="…">`: the player as an
 * element. Attributes: `server`, `session` (required), `token`, `autoconnect="false"`,
 * `latency="false"`, `lowpower` (`lowpower="false"` forces it off). Its events are DOM
 * CustomEvents named `offload-<event>` (`offload-state`,
 * `offload-error`…) with the event's arguments in `detail` (an array); `element.player` is the
 * OffloadPlayer to drive. Changing `server`, `session` or `token` loads a new player.
 */
export function defineOffloadPlayer(tagName = 'offload-player'): void {
  if (typeof customElements === 'undefined' || customElements.get(tagName)) return;
  customElements.define(
    tagName,
    class OffloadPlayerElement extends HTMLElement {
      static observedAttributes = ['server', 'session', 'token'];
      player: OffloadPlayer | null = null;

      connectedCallback(): void {
        if (!this.style.display) this.style.display = 'block';
        this.#load();
      }

      disconnectedCallback(): void {
        this.player?.destroy();
        this.player = null;
      }

      attributeChangedCallback(): void {
        if (this.isConnected) this.#load();
      }

      #load(): void {
        this.player?.destroy();
        this.player = null;
        const server = this.getAttribute('server');
        const session = this.getAttribute('session');
        if (!server || !session) return;
        const player = createPlayer(this, {
          server,
          session,
          token: this.getAttribute('token') ?? undefined,
          autoConnect: this.getAttribute('autoconnect') !== 'false',
          latency: this.getAttribute('latency') !== 'false',
          lowPower: this.hasAttribute('lowpower') ? this.getAttribute('lowpower') !== 'false' : undefined,
          title: this.getAttribute('title') ?? undefined,
        });
        for (const type of EVENTS)
          player.on(type, (...args: unknown[]) =>
            this.dispatchEvent(new CustomEvent(`offload-${type}`, { detail: args })),
          );
        this.player = player;
      }
    },
  );
}
