import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_SIGNALING_MESSAGE_BYTES, OffloadError } from '@offload/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ConnectionAuth } from '../auth/Auth.js';
import { endWithError } from '../http/rawResponse.js';
import { badTarget, requestUrl } from '../http/requestUrl.js';
import { moduleLogger } from '../logger.js';
import { Connection, type ConnectionDeps } from './Connection.js';

const log = moduleLogger('signaling');

/** Path of the signaling WebSocket on the HTTP server. */
export const SIGNALING_PATH = '/ws';

/**
 * WebSocket signaling on the HTTP server's port. Oversized frames get a typed error from the
 * protocol parser; only frames far beyond any valid message (64×) make ws drop the socket.
 */
export class SignalingServer {
  readonly wss: WebSocketServer;
  readonly connections = new Set<Connection>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    http: HttpServer,
    readonly deps: ConnectionDeps,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SIGNALING_MESSAGE_BYTES * 64 });
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => {});
      const url = requestUrl(req);
      if (!url) return endWithError(socket, 400, badTarget());
      if (url.pathname !== SIGNALING_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
        return;
      }
      this.#upgrade(req, socket, head).catch((err: unknown) => {
        log.error({ err }, 'WebSocket upgrade failed');
        endWithError(socket, 500, new OffloadError('internal', 'The connection could not be set up.'));
      });
    });
    // Finds clients whose network vanished without a close (they hold a viewer otherwise).
    const alive = new WeakSet<WebSocket>();
    this.#heartbeat = setInterval(() => {
      for (const ws of this.wss.clients) {
        if (!alive.has(ws)) {
          ws.terminate();
          continue;
        }
        alive.delete(ws);
        ws.ping();
      }
    }, 15_000);
    this.wss.on('connection', (ws) => {
      alive.add(ws);
      ws.on('pong', () => alive.add(ws));
    });
  }

  close(): void {
    clearInterval(this.#heartbeat);
    for (const c of this.connections) c.close();
    // 1012 "service restart": clients reconnect with backoff and resume their sessions.
    for (const ws of this.wss.clients) ws.close(1012, 'server restarting');
    this.wss.close();
  }

  /** Origin and token are checked before the WebSocket exists: a refused client gets a plain HTTP 401/403. */
  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const decision = this.deps.auth
      ? await this.deps.auth.admit(req)
      : { ok: true as const, auth: { claims: undefined } };
    if (socket.destroyed) return;
    if (!decision.ok) return endWithError(socket, decision.status, decision.error);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, decision.auth));
  }

  #accept(ws: WebSocket, auth: ConnectionAuth): void {
    this.wss.emit('connection', ws);
    const conn = new Connection(ws, this.deps, auth);
    this.connections.add(conn);
    conn.log.debug('connected');
    ws.on('message', (data, isBinary) => {
      if (isBinary) conn.handleBinary();
      else conn.handleText(data.toString());
    });
    ws.on('error', (err) => conn.log.warn({ err: err.message }, 'socket error'));
    ws.on('close', () => {
      conn.close();
      this.connections.delete(conn);
      conn.log.debug('disconnected');
    });
  }
}
