import { PROTOCOL_VERSION } from '@offload/protocol';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../ClientError';
import type { SocketHandlers } from './SignalingClient';
import { SignalingConnection } from './SignalingConnection';

/** Sockets that open (or not) at once and answer hello with `version`. */
function setup({
  open = true,
  version = PROTOCOL_VERSION,
  diagnose = undefined as (() => Promise<ClientError | null>) | undefined,
} = {}) {
  const sockets: { handlers: SocketHandlers; sent: { type: string }[]; closed: boolean }[] = [];
  const connection = new SignalingConnection({
    url: 'ws://test/ws',
    diagnose,
    socketFactory: (_url, handlers) => {
      const socket = { handlers, sent: [] as { type: string }[], closed: false };
      sockets.push(socket);
      queueMicrotask(() => (open ? handlers.onOpen() : handlers.onClose({ code: 1006, reason: '' })));
      return {
        send: (text: string) => {
          const msg = JSON.parse(text) as { type: string; id: number };
          socket.sent.push(msg);
          queueMicrotask(() =>
            handlers.onMessage(
              JSON.stringify({
                type: 'response',
                id: msg.id,
                ok: true,
                data: { protocolVersion: version, serverVersion: 'test' },
              }),
            ),
          );
        },
        close: () => {
          socket.closed = true;
        },
      };
    },
  });
  return { connection, sockets };
}

describe('SignalingConnection', () => {
  it('opens one socket, says hello once, and hands out the open socket', async () => {
    const { connection, sockets } = setup();
    expect(connection.started).toBe(false);
    expect(() => connection.socket()).toThrow(ClientError);
    await Promise.all([connection.connect(), connection.connect()]);
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.sent).toMatchObject([
      { type: 'hello', protocolVersion: PROTOCOL_VERSION, client: 'offload-web' },
    ]);
    expect(connection.started).toBe(true);
    expect(connection.socket()).toBe(connection.current);
  });

  it('throws a dropped socket away and opens a new one on the next connect', async () => {
    const { connection, sockets } = setup();
    await connection.connect();
    connection.drop();
    expect(sockets[0]!.closed).toBe(true);
    expect(connection.current).toBeNull();
    await connection.connect();
    expect(sockets).toHaveLength(2);
  });

  it('passes on the current socket’s events; disconnected comes after the socket was thrown away', async () => {
    const { connection, sockets } = setup();
    await connection.connect();
    const seen: string[] = [];
    connection.on('session-closed', ({ reason }) => seen.push(reason));
    connection.on('disconnected', (err) => seen.push(`${err.code} ${connection.current === null}`));
    sockets[0]!.handlers.onMessage(JSON.stringify({ type: 'session/closed', sessionId: 's', reason: 'bye' }));
    sockets[0]!.handlers.onClose({ code: 1006, reason: '' });
    expect(seen).toEqual(['bye', 'connection-lost true']);
    expect(connection.started).toBe(false);
  });

  it('refuses a server of another protocol version', async () => {
    const { connection } = setup({ version: PROTOCOL_VERSION + 1 });
    await expect(connection.connect()).rejects.toMatchObject({ code: 'incompatible-protocol' });
    expect(connection.current).toBeNull();
  });

  it('asks diagnose() why the socket would not open', async () => {
    const unreachable = setup({ open: false });
    await expect(unreachable.connection.connect()).rejects.toMatchObject({ code: 'server-unreachable' });
    const diagnosed = setup({ open: false, diagnose: async () => new ClientError('unauthorized', 'no') });
    await expect(diagnosed.connection.connect()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(diagnosed.connection.started).toBe(false);
  });
});
