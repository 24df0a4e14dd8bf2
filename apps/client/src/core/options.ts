import type { Device } from 'mediasoup-client';
import type { ClientError } from './ClientError';
import type { SocketFactory } from './signaling/SignalingClient';

export interface StreamClientOptions {
  /**
   * Signaling WebSocket URL (see resolveSignalingUrl), or a function read each time a socket
   * opens (the embedding bridge hands the player its access token after start-up).
   */
  url: string | (() => string);
  /** Default: the browser's WebSocket. */
  socketFactory?: SocketFactory;
  /** Signaling request timeout in ms. Default 10 000. */
  requestTimeoutMs?: number;
  /** Creates the mediasoup Device. Default: `new Device()` (detects the browser); tests pass a fake handler. */
  createDevice?: () => Device;
  /** Name sent in `hello`. Default "offload-web". */
  clientName?: string;
  /** Consume the report channel (pongs, input timings) for latency monitoring. Default true. */
  reportChannel?: boolean;
  /** How long to keep trying to resume after the connection dropped, in ms. Default 60 000. */
  reconnectForMs?: number;
  /** Delay before the first reconnect attempt, in ms (doubles up to 1 s, ±25 % jitter). Default 250. */
  reconnectDelayMs?: number;
  /**
   * Asked when the socket would not open: a browser sees no HTTP status for a refused
   * upgrade, so this can ask the server why (e.g. GET /api/auth-check) and return a better
   * error (`unauthorized`, `token-expired`), or null to keep `server-unreachable`.
   */
  diagnose?: () => Promise<ClientError | null>;
}
