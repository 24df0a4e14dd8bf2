import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Runs `pactl -s <server> <args…>` as the sink's account (see AudioSink). */
export type PactlLauncher = (args: string[]) => ChildProcess;

const EVENT = /^Event '(new|remove)' on sink-input #(\d+)$/;

/**
 * Keeps one PulseAudio sink asleep (suspended) while nothing plays into it, and wakes it as
 * soon as something does. A sink whose monitor is being recorded otherwise runs all the time:
 * with the app silent (most apps, most of the time) its sound card and recorder woke 300 times
 * a second, for 0.11 cores per session, and every viewer played the silence (measured, see
 * the README). Asleep, the recorder gets nothing and sends nothing.
 *
 * Watches the sound card's streams with `pactl subscribe` (one small process that sleeps until
 * an event) and suspends or resumes the sink with `pactl suspend-sink`, one call at a time,
 * always towards the latest wanted state. A stream that starts while the sink sleeps waits for
 * it in PulseAudio's buffer (a few ms), nothing is lost.
 */
export class SinkSleeper {
  readonly #streams = new Set<number>();
  /** Streams that ended before the first listing came back (so it does not bring them back). */
  readonly #ended = new Set<number>();
  readonly #watcher: ChildProcess;
  /** The state last applied: awake (true), asleep (false); PulseAudio starts a sink awake. */
  #awake = true;
  #busy = false;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(
    readonly sink: string,
    readonly pactl: PactlLauncher,
  ) {
    this.#watcher = pactl(['subscribe']);
    this.#watcher.once('error', () => {});
    if (this.#watcher.stdout) {
      createInterface({ input: this.#watcher.stdout }).on('line', (line) => {
        const m = EVENT.exec(line.trim());
        if (!m) return;
        const id = Number(m[2]);
        if (m[1] === 'new') this.#streams.add(id);
        else {
          this.#streams.delete(id);
          this.#ended.add(id);
        }
        this.#apply();
      });
    }
    // Streams that began before the watcher was listening (none, normally: the app starts later).
    this.#run(['list', 'short', 'sink-inputs']).then((out) => {
      for (const line of out.split('\n')) {
        const id = Number(line.split('\t')[0]);
        if (line.trim() && Number.isInteger(id) && !this.#ended.has(id)) this.#streams.add(id);
      }
      this.#ended.clear();
      this.#apply();
    });
  }

  /** Whether the sink runs now. */
  get awake(): boolean {
    return this.#awake;
  }

  /** Resolves once the sink's state is the wanted one (asleep with no stream, awake with one). */
  settled(): Promise<void> {
    if (this.#isSettled()) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher.kill('SIGKILL');
    for (const r of this.#waiters.splice(0)) r();
  }

  #isSettled(): boolean {
    return this.#closed || (!this.#busy && this.#awake === this.#streams.size > 0);
  }

  #apply(): void {
    if (this.#closed || this.#busy) return;
    const want = this.#streams.size > 0;
    if (want === this.#awake) {
      for (const r of this.#waiters.splice(0)) r();
      return;
    }
    this.#busy = true;
    this.#run(['suspend-sink', this.sink, want ? '0' : '1']).then(() => {
      // Taken as done even if it failed (the sound card is gone, then): no retrying in a loop.
      this.#awake = want;
      this.#busy = false;
      this.#apply();
    });
  }

  /** Runs one pactl command; resolves with its output (empty if it failed). */
  #run(args: string[]): Promise<string> {
    return new Promise((resolve) => {
      const p = this.pactl(args);
      let out = '';
      p.stdout?.on('data', (d) => {
        out += d;
      });
      p.once('error', () => resolve(''));
      p.once('exit', (code) => resolve(code === 0 ? out : ''));
    });
  }
}
