import type { ResponseData } from '@offload/protocol';
import { ClientError } from '../ClientError';
import type { SignalingClient } from '../signaling/SignalingClient';
import type { Attempt } from './Attempt';
import { ReconnectPolicy, type ReconnectPolicyOptions } from './ReconnectPolicy';

/**
 * How long a resume may take (ms): a server restarted in place starts the session again
 * before it answers, and a busy host can need many seconds.
 */
const RESUME_TIMEOUT_MS = 30_000;

/** The server's answer to `session/resume`: where we are, and whether our media is new (`fresh`). */
export type Resumed = ResponseData<'session/resume'>;

export interface ResumerOptions extends ReconnectPolicyOptions {
  /** The open signaling socket of the moment; throws when there is none. */
  signaling: () => SignalingClient;
  /** Opens a new socket and says hello (without failing the client). */
  connect: () => Promise<void>;
  /** Throws the current socket away (it may be half-dead). */
  dropSocket: () => void;
}

/**
 * Our place in the session (its id and the latest resume token) and the loop that takes it
 * again after a drop: a new socket, `session/resume`, then the owner's own set-up, retried as
 * long as the ReconnectPolicy allows.
 */
export class Resumer {
  readonly #options: ResumerOptions;
  readonly #policy: ReconnectPolicy;
  /** Set by join/resume, cleared by leave/close/session end and when the loop gives up. */
  #place: { sessionId: string; token: string } | null = null;
  #resumes = 0;

  constructor(options: ResumerOptions) {
    this.#options = options;
    this.#policy = new ReconnectPolicy(options);
  }

  /** There is a place to resume. */
  get canResume(): boolean {
    return this.#place !== null;
  }

  /** How many times the session was resumed. */
  get resumes(): number {
    return this.#resumes;
  }

  /** Remembers where to resume (after a join or a resume, with the token it handed out). */
  remember(sessionId: string, token: string): void {
    this.#place = { sessionId, token };
  }

  /** Nothing to resume any more (left, closed, or the session ended). */
  forget(): void {
    this.#place = null;
  }

  /**
   * Resumes until `steps.setUp` (given the server's answer) succeeds, or until `attempt` is
   * superseded. When the policy gives up, forgets the place and calls `steps.giveUp` with the
   * error to fail with. `sameSocket`: the first try uses the current socket (it did not drop).
   */
  async run(
    attempt: Attempt,
    sameSocket: boolean,
    steps: { setUp: (resumed: Resumed) => Promise<void>; giveUp: (error: ClientError) => void },
  ): Promise<void> {
    const startedAt = Date.now();
    let retries = 0;
    let useSocket = sameSocket;
    for (;;) {
      try {
        if (!useSocket) await this.#options.connect();
        useSocket = false;
        attempt.check();
        await steps.setUp(await this.#resume(attempt));
        return;
      } catch (err) {
        // Superseded by a join, leave or close (close supersedes too).
        if (!attempt.current) return;
        const error = ClientError.from(err);
        const elapsedMs = Date.now() - startedAt;
        const delay = this.#policy.nextDelayMs({ error, retries: retries++, elapsedMs });
        if (delay === null) {
          this.#place = null;
          steps.giveUp(error);
          return;
        }
        // The socket may be half-dead: start the next try on a new one.
        this.#options.dropSocket();
        await new Promise((r) => setTimeout(r, delay));
        if (!attempt.current) return;
      }
    }
  }

  /** One `session/resume` on the current socket; remembers the new token. */
  async #resume(attempt: Attempt): Promise<Resumed> {
    const place = this.#place;
    if (!place) throw ClientError.connectionLost('Nothing to resume.');
    const sig = this.#options.signaling();
    const resumed = await sig.request(
      'session/resume',
      { sessionId: place.sessionId, resumeToken: place.token },
      { timeoutMs: RESUME_TIMEOUT_MS },
    );
    attempt.check();
    this.remember(resumed.sessionId, resumed.resumeToken);
    this.#resumes++;
    return resumed;
  }
}
