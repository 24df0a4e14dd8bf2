import type { Server as HttpServer, IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MAX_SIGNALING_MESSAGE_BYTES } from '@offload/protocol';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ConnectionAuth } from '../auth/Auth.js';
import { Connection, type ConnectionDeps } from './Connection.js';

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
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== SIGNALING_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
        return;
      }
      void this.#upgrade(req, socket, head);
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
    socket.on('error', () => {});
    const decision = this.deps.auth
      ? await this.deps.auth.admit(req)
      : { ok: true as const, auth: { claims: undefined } };
    if (socket.destroyed) return;
    if (!decision.ok) {
      const body = JSON.stringify({ error: decision.error.toWire() });
      const status = decision.status === 401 ? '401 Unauthorized' : '403 Forbidden';
      socket.end(
        `HTTP/1.1 ${status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
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
