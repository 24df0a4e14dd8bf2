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
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Wire shape of an error. */
export interface WireError {
  code: ErrorCode;
  message: string;
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
  ) {
    super(message);
  }

  toWire(): WireError {
    return { code: this.code, message: this.message };
  }

  static fromWire(e: WireError): OffloadError {
    return new OffloadError(e.code, e.message);
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
