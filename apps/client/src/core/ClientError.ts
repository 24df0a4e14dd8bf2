import { type ErrorCode, OffloadError } from '@offload/protocol';

/** Failures the browser side detects itself (the server's own codes come from the protocol). */
export const CLIENT_ERROR_CODES = [
  'server-unreachable',
  'server-not-allowed',
  'connection-lost',
  'request-timeout',
  'autoplay-blocked',
  'unsupported-browser',
  'media-failed',
  'no-video',
  'client-closed',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Every code the player may show: its own plus the server's. */
export type StreamErrorCode = ClientErrorCode | ErrorCode;

/** What the store and the UI hold: plain data, `message` is the text for the user. */
export interface StreamErrorInfo {
  code: StreamErrorCode;
  message: string;
}

/** Text for the user: what went wrong and what to do. Codes not listed fall back to the detail. */
const USER_TEXT: Partial<Record<StreamErrorCode, string>> = {
  'server-unreachable':
    "Can't reach the Offload server. Check your network and that the server is running, then retry.",
  'server-not-allowed':
    'This player may not connect to that server: the link (its ?server=) points at a server this page does not list. Open the player from the server you mean to use.',
  'connection-lost': 'The connection to the server was lost. Retry to reconnect.',
  'request-timeout': 'The server did not answer in time. Retry in a moment.',
  'autoplay-blocked': 'Your browser blocked playback. Tap to play.',
  'unsupported-browser':
    "This browser can't receive the stream (WebRTC is missing or disabled). Use a recent Chrome, Edge, Firefox or Safari.",
  'media-failed':
    'The media connection failed; a firewall may be blocking it. Retry, or try another network.',
  'no-video': 'The session has no video yet. Retry in a moment.',
  'client-closed': 'The player was closed.',
  'incompatible-protocol':
    'This page and the server speak different protocol versions. Reload the page to get the matching player.',
  'session-not-found': 'This session is gone: it ended or the link is wrong. Start a new demo session.',
  'session-closed': 'The session ended. Start a new demo session.',
  'cannot-consume':
    "Codec unsupported: this browser can't decode the stream's video (H.264). Try Chrome, Edge or Safari.",
  'at-capacity': 'The server is busy. Try again in a few minutes.',
  'rate-limited': 'Too many requests. Wait a moment and retry.',
  'runtime-failed': 'The app failed to start on the server. Start a new demo session.',
  unauthorized: 'This link is not valid for this server (its access token was refused). Ask for a new link.',
  'token-expired': 'This link has expired. Ask whoever shared it for a new one.',
  'not-allowed':
    "This link doesn't allow that (its access token is for another session, or this page may not connect).",
  'not-controller': 'Another participant has control; ask for it to use the app.',
  'session-elsewhere':
    'This session runs on another server of the cluster, which this player could not reach. Open the link again.',
};

/** A failure with a machine-readable `code`; `userText` says what to do about it. */
export class ClientError extends Error {
  override readonly name = 'ClientError';

  constructor(
    readonly code: StreamErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get userText(): string {
    // The server's reason for ending a session (app crashed, idle timeout…) is worth showing.
    if (this.code === 'session-closed' && this.message) {
      return `The session ended: ${this.message.replace(/\.?$/, '.')} Start a new demo session.`;
    }
    return USER_TEXT[this.code] ?? this.message;
  }

  toInfo(): StreamErrorInfo {
    return { code: this.code, message: this.userText };
  }

  static serverUnreachable(url: string): ClientError {
    return new ClientError('server-unreachable', `Could not open the signaling socket at ${url}.`);
  }

  static connectionLost(detail = 'The signaling socket closed.'): ClientError {
    return new ClientError('connection-lost', detail);
  }

  static timeout(what: string, ms: number): ClientError {
    return new ClientError('request-timeout', `No reply to "${what}" within ${ms} ms.`);
  }

  static closed(): ClientError {
    return new ClientError('client-closed', 'The client was closed.');
  }

  /** Normalises anything thrown (server errors, mediasoup errors, bugs) to a ClientError. */
  static from(err: unknown): ClientError {
    if (err instanceof ClientError) return err;
    if (err instanceof OffloadError) return new ClientError(err.code, err.message, { cause: err });
    if (err instanceof Error && err.name === 'UnsupportedError') {
      return new ClientError('unsupported-browser', err.message, { cause: err });
    }
    const message = err instanceof Error ? err.message : String(err);
    return new ClientError('internal', message, { cause: err });
  }
}
