/** Machine-readable error codes carried on the wire. */
export const ERROR_CODES = [
  'bad-request',
  'bad-json',
  'too-large',
  'invalid-message',
  'unknown-type',
  'incompatible-protocol',
  'not-ready',
  'not-joined',
  'already-joined',
  'session-not-found',
  'session-closed',
  'at-capacity',
  'transport-not-found',
  'consumer-not-found',
  'cannot-consume',
  'rate-limited',
  'not-allowed',
  'runtime-failed',
  'internal',
  // auth, roles and URL policy
  'unauthorized',
  'token-expired',
  'not-controller',
  'url-not-allowed',
  // a cluster of nodes (see apps/server/src/cluster)
  /** The session runs on another node of the cluster: join it there (`hostUrl`). */
  'session-elsewhere',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Wire shape of an error. */
export interface WireError {
  code: ErrorCode;
  message: string;
  /** `session-elsewhere` only: the public URL (http(s)://host[:port]/) of the node that hosts the session. */
  hostUrl?: string;
}

/**
 * An error with a machine-readable `code`; what a request rejects with on the client and
 * what a handler throws on the server to send a typed error reply.
 */
export class OffloadError extends Error {
  override readonly name = 'OffloadError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** `session-elsewhere`: the public URL of the node that hosts the session. */
    readonly hostUrl?: string,
  ) {
    super(message);
  }

  toWire(): WireError {
    return this.hostUrl === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hostUrl: this.hostUrl };
  }

  static fromWire(e: WireError): OffloadError {
    return new OffloadError(e.code, e.message, e.hostUrl);
  }

  /** The session runs on another node of the cluster, whose public URL is `hostUrl`. */
  static sessionElsewhere(sessionId: string, hostUrl: string): OffloadError {
    return new OffloadError(
      'session-elsewhere',
      `Session "${sessionId}" runs on another server of this cluster (${hostUrl}); join it there.`,
      hostUrl,
    );
  }

  static sessionNotFound(sessionId: string): OffloadError {
    return new OffloadError(
      'session-not-found',
      `No session "${sessionId}" on this server: it ended or the id is wrong.`,
    );
  }

  static notJoined(): OffloadError {
    return new OffloadError('not-joined', 'Join a session (session/join) before sending this message.');
  }
}
