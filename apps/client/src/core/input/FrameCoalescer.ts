import type { InputDraft } from './inputTypes';

/** Runs a callback before the next frame; `requestAnimationFrame` in the browser. */
export type FrameScheduler = (callback: () => void) => void;

type WheelDraft = Extract<InputDraft, { type: 'wheel' }>;

/**
 * Keeps at most one pointer move, one touch move and one (summed) wheel event per animation
 * frame: mice report at up to 1 kHz, the server rate-limits input, and the screen only
 * changes once a frame anyway. Any other event first flushes what is pending, so order is
 * kept: a click never overtakes the move that led to it.
 */
export class FrameCoalescer {
  readonly #pending = new Map<string, InputDraft>();
  #scheduled = false;

  constructor(
    private readonly sink: (draft: InputDraft) => void,
    private readonly schedule: FrameScheduler,
  ) {}

  push(draft: InputDraft): void {
    if ((draft.type === 'pointer' || draft.type === 'touch') && draft.action === 'move') {
      this.#pending.delete(draft.type);
      this.#pending.set(draft.type, draft);
      this.#arm();
      return;
    }
    if (draft.type === 'wheel') {
      const prev = this.#pending.get('wheel') as WheelDraft | undefined;
      this.#pending.set('wheel', prev ? { ...draft, dx: prev.dx + draft.dx, dy: prev.dy + draft.dy } : draft);
      this.#arm();
      return;
    }
    this.flush();
    this.sink(draft);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.#pending.size === 0) return;
    const drafts = [...this.#pending.values()];
    this.#pending.clear();
    for (const d of drafts) this.sink(d);
  }

  /** Drops what is pending (e.g. on detach). */
  clear(): void {
    this.#pending.clear();
  }

  #arm(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.schedule(() => {
      this.#scheduled = false;
      this.flush();
    });
  }
}
