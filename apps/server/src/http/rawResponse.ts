import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { OffloadError } from '@offload/protocol';

/**
 * Ends a raw socket with an HTTP response carrying a typed error: for requests no
 * ServerResponse exists for (a refused WebSocket upgrade, a request Node's parser refused).
 */
export function endWithError(socket: Duplex, status: number, error: OffloadError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: error.toWire() });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
