import { PROTOCOL_VERSION, type ServerMessage } from '@offload/protocol';
import { WebSocket } from 'ws';

/**
 * A raw signaling client for tests and benchmarks (server integration tests, e2e, bench):
 * sends anything, collects everything the server says.
 */
export class TestSocket {
  readonly messages: ServerMessage[] = [];
  #nextId = 1;
  #waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      this.messages.push(JSON.parse(d.toString()));
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Opens a socket; `token` goes in the query, `origin` in the Origin header (a browser's). */
  static async open(port: number, o: { token?: string; origin?: string } = {}): Promise<TestSocket> {
    const query = o.token === undefined ? '' : `?token=${encodeURIComponent(o.token)}`;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${query}`, o.origin ? { origin: o.origin } : {});
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new TestSocket(ws);
  }

  /** Opens a socket that has said hello. */
  static async hello(port: number, o: { token?: string; origin?: string } = {}): Promise<TestSocket> {
    const s = await TestSocket.open(port, o);
    const r = await s.request('hello', { protocolVersion: PROTOCOL_VERSION });
    if (!r.ok) throw new Error(r.error.message);
    return s;
  }

  /** Creates a session; resolves with its id. */
  async createSession(timeoutMs?: number): Promise<string> {
    const r = await this.request('session/create', {}, timeoutMs);
    if (!r.ok) throw new Error(r.error.message);
    return (r.data as { sessionId: string }).sessionId;
  }

  send(raw: string | Buffer): void {
    this.ws.send(raw);
  }

  /** Sends a request and resolves with its response message. */
  async request(
    type: string,
    payload: Record<string, unknown> = {},
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: 'response' }>> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ type, id, ...payload }));
    return this.waitFor(
      (m): m is Extract<ServerMessage, { type: 'response' }> => m.type === 'response' && m.id === id,
      timeoutMs,
    );
  }

  /** Resolves with the first message (already received or future) that matches. */
  async waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, timeoutMs?: number): Promise<T>;
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs = 45_000): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (Date.now() > deadline)
        throw new Error(`no matching message; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  errors(): string[] {
    return this.messages.flatMap((m) => (m.type === 'error' ? [m.error.code] : []));
  }

  close(): void {
    this.ws.close();
  }
}
