import type { GamepadReading } from '@offload/protocol';

/** What the poller needs of the page (the window in the browser; a stand-in in tests). */
export interface GamepadHost {
  getGamepads(): readonly (Pick<Gamepad, 'index' | 'id' | 'buttons' | 'axes'> | null)[];
  addEventListener(type: 'gamepadconnected' | 'gamepaddisconnected', fn: () => void): void;
  removeEventListener(type: 'gamepadconnected' | 'gamepaddisconnected', fn: () => void): void;
  requestAnimationFrame(fn: () => void): number;
  cancelAnimationFrame(id: number): void;
}

const MAX_PADS = 4;
const r3 = (v: number) => Math.round(Math.max(-1, Math.min(1, v)) * 1000) / 1000;

/**
 * The device's gamepads, read every animation frame while one is connected (the Gamepad API
 * is polled; nothing runs while no pad is), each pad's whole state offered when it changed,
 * and `connected: false` once a pad is gone.
 */
export class GamepadPoller {
  readonly #offer: (r: GamepadReading) => void;
  readonly #host: GamepadHost;
  readonly #last: (string | null)[] = Array(MAX_PADS).fill(null);
  #frame: number | null = null;
  #closed = false;
  readonly #wake = () => this.#schedule();

  constructor(offer: (r: GamepadReading) => void, host: GamepadHost) {
    this.#offer = offer;
    this.#host = host;
    host.addEventListener('gamepadconnected', this.#wake);
    host.addEventListener('gamepaddisconnected', this.#wake);
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    this.#host.removeEventListener('gamepadconnected', this.#wake);
    this.#host.removeEventListener('gamepaddisconnected', this.#wake);
    if (this.#frame !== null) this.#host.cancelAnimationFrame(this.#frame);
    this.#frame = null;
  }

  #schedule(): void {
    if (this.#closed || this.#frame !== null) return;
    this.#frame = this.#host.requestAnimationFrame(() => {
      this.#frame = null;
      if (this.#poll()) this.#schedule();
    });
  }

  /** Reads every pad once; true while one is connected (keep polling). */
  #poll(): boolean {
    const pads = this.#host.getGamepads();
    let any = false;
    for (let index = 0; index < MAX_PADS; index++) {
      const pad = pads[index];
      if (pad) any = true;
      const reading: GamepadReading = pad
        ? {
            type: 'sensor',
            kind: 'gamepad',
            index,
            id: pad.id.slice(0, 128),
            connected: true,
            buttons: pad.buttons.slice(0, 32).map((b) => Math.max(0, r3(b.value || (b.pressed ? 1 : 0)))),
            axes: pad.axes.slice(0, 16).map(r3),
          }
        : { type: 'sensor', kind: 'gamepad', index, id: '', connected: false, buttons: [], axes: [] };
      // A pad gone counts as null: its `connected: false` goes once, and nothing while no pad is there.
      const json = pad ? JSON.stringify(reading) : null;
      if (json === this.#last[index]) continue;
      this.#last[index] = json;
      this.#offer(reading);
    }
    return any;
  }
}
