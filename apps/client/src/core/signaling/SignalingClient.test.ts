import { OffloadError, PROTOCOL_VERSION } from '@offload/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientError } from '../ClientError';
import { browserSocketFactory, SignalingClient, type SocketHandlers } from './SignalingClient';

/** A socket the test drives by hand: it records what the client sends. */
class FakeSocket {
  sent: Record<string, unknown>[] = [];
  closed = false;
  constructor(readonly handlers: SocketHandlers) {}
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.closed = true;
  }
  reply(msg: unknown) {
    this.handlers.onMessage(JSON.stringify(msg));
  }
  last() {
    return this.sent[this.sent.length - 1]!;
  }
}

function setup(requestTimeoutMs?: number) {
  const ctx: { socket?: FakeSocket } = {};
  const client = new SignalingClient({
    url: 'ws://test/ws',
    requestTimeoutMs,
    socketFactory: (_url, handlers) => {
      ctx.socket = new FakeSocket(handlers);
      return ctx.socket;
    },
  });
  return { client, socket: () => ctx.socket! };
}

async function opened(requestTimeoutMs?: number) {
  const s = setup(requestTimeoutMs);
  const p = s.client.open();
  s.socket().handlers.onOpen();
  await p;
  return s;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SignalingClient', () => {
  it('sends {type, id, ...payload} and resolves with the validated data', async () => {
    const { client, socket } = await opened();
    const p = client.request('hello', { protocolVersion: PROTOCOL_VERSION, client: 'offload-web' });
    const sent = socket().last();
    expect(sent).toEqual({ type: 'hello', id: 1, protocolVersion: PROTOCOL_VERSION, client: 'offload-web' });
    socket().reply({
      type: 'response',
      id: 1,
      ok: true,
      data: { protocolVersion: 1, serverVersion: '0.1.0' },
    });
    await expect(p).resolves.toEqual({ protocolVersion: 1, serverVersion: '0.1.0' });
  });

  it('matches responses by id when they arrive out of order', async () => {
    const { client, socket } = await opened();
    const a = client.request('session/create', {});
    const b = client.request('media/resume', { consumerId: 'c1' });
    socket().reply({ type: 'response', id: 2, ok: true, data: {} });
    socket().reply({ type: 'response', id: 1, ok: true, data: { sessionId: 's1' } });
    await expect(a).resolves.toEqual({ sessionId: 's1' });
    await expect(b).resolves.toEqual({});
  });

  it('rejects with an OffloadError carrying the code on an error reply', async () => {
    const { client, socket } = await opened();
    const p = client.request('session/join', { sessionId: 'gone' });
    socket().reply({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'session-not-found', message: 'no' },
    });
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OffloadError);
    expect((err as OffloadError).code).toBe('session-not-found');
  });

  it('rejects a successful reply whose data does not match the schema', async () => {
    const { client, socket } = await opened();
    const p = client.request('session/create', {});
    socket().reply({ type: 'response', id: 1, ok: true, data: { nope: 1 } });
    await expect(p).rejects.toMatchObject({ code: 'invalid-message' });
  });

  it('rejects every pending request with connection-lost when the socket closes', async () => {
    const { client, socket } = await opened();
    const lost = vi.fn();
    client.on('disconnected', lost);
    const a = client.request('session/create', {});
    const b = client.request('session/leave', {});
    socket().handlers.onClose({ code: 1006, reason: '' });
    await expect(a).rejects.toMatchObject({ code: 'connection-lost' });
    await expect(b).rejects.toMatchObject({ code: 'connection-lost' });
    expect(lost).toHaveBeenCalledOnce();
    await expect(client.request('session/leave', {})).rejects.toBeInstanceOf(ClientError);
  });

  it('rejects open() with server-unreachable when the socket never opens', async () => {
    const { client, socket } = setup();
    const p = client.open();
    socket().handlers.onClose({ code: 1006, reason: '' });
    await expect(p).rejects.toMatchObject({ code: 'server-unreachable' });
  });

  it('times a request out', async () => {
    vi.useFakeTimers();
    const { client } = await opened(50);
    const p = client.request('session/create', {});
    const caught = p.catch((e: unknown) => e);
    vi.advanceTimersByTime(60);
    expect(await caught).toMatchObject({ code: 'request-timeout' });
  });

  it('reports invalid server JSON without crashing, and keeps working', async () => {
    const { client, socket } = await opened();
    const invalid = vi.fn();
    client.on('invalid-message', invalid);
    const p = client.request('session/create', {});
    socket().handlers.onMessage('{not json');
    socket().reply({ type: 'mystery' });
    expect(invalid).toHaveBeenCalledTimes(2);
    expect(invalid.mock.calls[0]![0]).toMatchObject({ code: 'bad-json' });
    socket().reply({ type: 'response', id: 1, ok: true, data: { sessionId: 's' } });
    await expect(p).resolves.toEqual({ sessionId: 's' });
  });

  it('settles a request whose reply is malformed but names its id', async () => {
    const { client, socket } = await opened();
    const p = client.request('session/create', {});
    socket().reply({ type: 'response', id: 1, ok: 'maybe' });
    await expect(p).rejects.toMatchObject({ code: 'invalid-message' });
  });

  it('emits typed notifications', async () => {
    const { client, socket } = await opened();
    const closed = vi.fn();
    const serverError = vi.fn();
    client.on('session-closed', closed);
    client.on('server-error', serverError);
    socket().reply({ type: 'session/closed', sessionId: 's1', reason: 'app exited' });
    socket().reply({ type: 'error', error: { code: 'rate-limited', message: 'slow down' } });
    expect(closed).toHaveBeenCalledWith({ sessionId: 's1', reason: 'app exited' });
    expect(serverError.mock.calls[0]![0]).toMatchObject({ code: 'rate-limited' });
  });

  it('close() rejects pending requests with client-closed and closes the socket', async () => {
    const { client, socket } = await opened();
    const p = client.request('session/create', {});
    client.close();
    client.close();
    await expect(p).rejects.toMatchObject({ code: 'client-closed' });
    expect(socket().closed).toBe(true);
  });

  it('sends input as {type: "input", event}', async () => {
    const { client, socket } = await opened();
    const event = { type: 'text', seq: 1, ts: 5, text: 'hi' } as const;
    expect(client.sendInput(event)).toBe(true);
    expect(socket().last()).toEqual({ type: 'input', event });
  });
});

describe('browserSocketFactory', () => {
  /** A WebSocket that fails the way a CSP-blocked one does in Chromium: an error, no close. */
  class BlockedSocket {
    static OPEN = 1;
    readyState = 3;
    onopen: (() => void) | null = null;
    onmessage: ((e: { data: unknown }) => void) | null = null;
    onclose: ((e: { code: number; reason: string }) => void) | null = null;
    onerror: (() => void) | null = null;
    constructor(_url: string) {
      setTimeout(() => this.onerror?.(), 5);
    }
    send() {}
    close() {}
  }

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('reports a socket that errs without ever closing as closed, so opening fails instead of waiting for ever', async () => {
    vi.stubGlobal('WebSocket', BlockedSocket);
    const client = new SignalingClient({ url: 'ws://127.0.0.2:9/ws', socketFactory: browserSocketFactory });
    await expect(client.open()).rejects.toMatchObject({ code: 'server-unreachable' });
  });
});
