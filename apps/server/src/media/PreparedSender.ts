import { type Logger, moduleLogger } from '../logger.js';
import type { AppRuntime } from '../runtime/AppRuntime.js';
import {
  awaitSenderEvent,
  type SenderPorts,
  type SenderProcess,
  type SenderSpec,
  senderLayers,
  spawnSender,
  type VideoLayer,
} from './senderProcess.js';
import { senderCommandLine } from './senderProtocol.js';

/** How long a sender may take to be built and waiting (ms). */
const PREPARE_TIMEOUT_MS = 20_000;

/**
 * A video sender started ahead of its session: built (Python, GStreamer, its pipeline and
 * encoders, the X connection), one frame through its encoders (they set themselves up on the
 * first: 250–400 ms on a busy box), and waiting to be told where to send. A warm app runtime
 * keeps one, so a new session's video starts in ~10 ms instead of the sender's 0.3–0.7 s
 * start-up. Idle, it costs no CPU (nothing is captured). VideoSource.start adopts it
 * (connect()), or starts one and adopts it at once; otherwise close() ends it.
 */
export class PreparedSender {
  #taken = false;

  private constructor(
    readonly spec: SenderSpec,
    /** The layers (with SSRCs) it encodes: the producer is made with these. */
    readonly layers: readonly VideoLayer[],
    readonly sender: SenderProcess,
    /** Where its RTP and RTCP will come from (the PlainTransport connects to them). */
    readonly ports: SenderPorts,
  ) {}

  static async start(spec: SenderSpec, log: Logger): Promise<PreparedSender> {
    const layers = senderLayers(spec);
    const sender = await spawnSender(spec, layers, log);
    try {
      const ports = await awaitSenderEvent(sender, 'prepared', log, PREPARE_TIMEOUT_MS);
      return new PreparedSender(spec, layers, sender, ports);
    } catch (err) {
      sender.proc.kill('SIGKILL');
      throw err;
    }
  }

  /** Still waiting (not taken, not exited). */
  get usable(): boolean {
    return !this.#taken && this.sender.proc.exitCode === null && this.sender.proc.signalCode === null;
  }

  /** Sends to these ports and starts; the process is the caller's from now on. */
  connect(ports: SenderPorts): SenderProcess {
    this.#taken = true;
    this.sender.proc.stdin?.write(senderCommandLine({ cmd: 'connect', ...ports }));
    return this.sender;
  }

  /** Ends it, unless taken. Idempotent. */
  close(): void {
    if (this.#taken) return;
    this.#taken = true;
    this.sender.proc.stdin?.end();
    this.sender.proc.kill('SIGTERM');
  }
}

/**
 * Prepared senders for warm app runtimes, one each: prepared when a runtime joins the warm
 * pool, taken by the session that gets the runtime (for its first codec), ended when the
 * runtime goes unused. A failed preparation only costs the speed-up: the session starts a
 * sender of its own.
 */
export class PreparedSenders {
  readonly #byRuntime = new Map<AppRuntime, Promise<PreparedSender | undefined>>();
  readonly #log = moduleLogger('prepared-sender');
  #closed = false;

  /** `spec`: what a session's first video source would start for this runtime. */
  constructor(private readonly spec: (runtime: AppRuntime) => SenderSpec) {}

  /** Starts one for a warm runtime; ended if the runtime dies before a session takes it. */
  prepare(runtime: AppRuntime): void {
    // After closeAll (a warm start that finished after the server began to stop): nothing.
    if (this.#closed || this.#byRuntime.has(runtime)) return;
    const p = PreparedSender.start(this.spec(runtime), this.#log).catch((err: Error) => {
      this.#log.warn(
        { err: err.message },
        'could not prepare a video sender; the session will start its own',
      );
      return undefined;
    });
    this.#byRuntime.set(runtime, p);
    runtime.events.once('died', () => this.drop(runtime));
  }

  /** The runtime's prepared sender, for its session (once); undefined if there is none. */
  take(runtime: AppRuntime): Promise<PreparedSender | undefined> | undefined {
    const p = this.#byRuntime.get(runtime);
    this.#byRuntime.delete(runtime);
    return p;
  }

  /** The pid of the runtime's prepared sender, once it waits (for tests and diagnostics). */
  async pidFor(runtime: AppRuntime): Promise<number | undefined> {
    return (await this.#byRuntime.get(runtime))?.sender.proc.pid;
  }

  /** The runtime will not be used (it died, the server stops): end its prepared sender. */
  drop(runtime: AppRuntime): void {
    const p = this.#byRuntime.get(runtime);
    this.#byRuntime.delete(runtime);
    void p?.then((s) => s?.close());
  }

  /** Ends every prepared sender not taken, and prepares no more. */
  closeAll(): void {
    this.#closed = true;
    for (const runtime of [...this.#byRuntime.keys()]) this.drop(runtime);
  }
}
