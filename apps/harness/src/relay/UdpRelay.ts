import dgram from 'node:dgram';
import { Link, type LinkImpairments, NO_IMPAIRMENTS } from './impairments.js';

// What users of the relay (`@offload/harness/relay`) configure it with.
export { type LinkImpairments, NO_IMPAIRMENTS } from './impairments.js';

export interface Endpoint {
  address: string;
  port: number;
}

export interface UdpRelayOptions {
  /** Where clients send (the address the server announces in its ICE candidates). */
  listen: Endpoint;
  /** The real server. */
  target: Endpoint;
  /** Local address for the per-client sockets towards the server (port chosen by the OS). */
  upstreamAddress?: string;
  /** Client → server and server → client impairments (each client gets its own link). */
  up?: LinkImpairments;
  down?: LinkImpairments;
  /** A client silent this long is forgotten (ms). Default 60 000. */
  idleTimeoutMs?: number;
}

interface Flow {
  client: Endpoint;
  socket: dgram.Socket;
  up: Link;
  down: Link;
  lastSeen: number;
}

const now = () => performance.now();

/**
 * A user-space network emulator for WebRTC: a UDP relay between clients and the server that
 * delays, jitters, drops and rate-limits packets per direction. It forwards datagrams as they
 * are (STUN, DTLS, SRTP, SCTP all pass untouched); each client gets its own socket towards
 * the server, so the server (ICE-lite, learning addresses from STUN) sees one client per
 * 5-tuple, exactly as without the relay. Our kernel has no netem, hence user space.
 */
export class UdpRelay {
  readonly #o: UdpRelayOptions;
  readonly #socket: dgram.Socket;
  readonly #flows = new Map<string, Flow>();
  readonly #sweeper: NodeJS.Timeout;
  #up: LinkImpairments;
  #down: LinkImpairments;
  #closed = false;
  readonly counts = { up: 0, down: 0, upLost: 0, downLost: 0 };

  private constructor(o: UdpRelayOptions, socket: dgram.Socket) {
    this.#o = o;
    this.#socket = socket;
    this.#up = o.up ?? NO_IMPAIRMENTS;
    this.#down = o.down ?? NO_IMPAIRMENTS;
    socket.on('message', (msg, rinfo) => this.#fromClient(msg, rinfo));
    this.#sweeper = setInterval(() => this.#sweep(), 5000);
    this.#sweeper.unref();
  }

  static async start(o: UdpRelayOptions): Promise<UdpRelay> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(o.listen.port, o.listen.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpRelay(o, socket);
  }

  get address(): Endpoint {
    const a = this.#socket.address();
    return { address: a.address, port: a.port };
  }

  get flows(): number {
    return this.#flows.size;
  }

  /** Changes the impairments for every client, now and later. */
  setImpairments(up: LinkImpairments, down: LinkImpairments): void {
    this.#up = up;
    this.#down = down;
    for (const f of this.#flows.values()) {
      f.up = new Link(up);
      f.down = new Link(down);
    }
  }

  /**
   * Changes the impairments of one client only: the one whose packets reach the server from
   * relay port `upstreamPort` (what the server sees as that client's address, e.g. a
   * transport's ICE-selected tuple). False if no such client. setImpairments() overrides it.
   */
  setFlowImpairments(upstreamPort: number, up: LinkImpairments, down: LinkImpairments): boolean {
    for (const f of this.#flows.values()) {
      if (f.socket.address().port !== upstreamPort) continue;
      f.up = new Link(up);
      f.down = new Link(down);
      return true;
    }
    return false;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#socket.close();
    for (const f of this.#flows.values()) f.socket.close();
    this.#flows.clear();
  }

  #fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = this.#flows.get(key);
    if (!flow) {
      const socket = dgram.createSocket('udp4');
      socket.bind(0, this.#o.upstreamAddress ?? this.#o.listen.address);
      flow = {
        client: { address: rinfo.address, port: rinfo.port },
        socket,
        up: new Link(this.#up),
        down: new Link(this.#down),
        lastSeen: 0,
      };
      const f = flow;
      socket.on('message', (m) => this.#fromServer(f, m));
      socket.on('error', () => {});
      this.#flows.set(key, flow);
    }
    flow.lastSeen = now();
    this.counts.up++;
    const f = flow;
    this.#schedule(
      f.up,
      msg,
      () => f.socket.send(msg, this.#o.target.port, this.#o.target.address),
      'upLost',
    );
  }

  #fromServer(flow: Flow, msg: Buffer): void {
    this.counts.down++;
    this.#schedule(
      flow.down,
      msg,
      () => this.#socket.send(msg, flow.client.port, flow.client.address),
      'downLost',
    );
  }

  #schedule(link: Link, msg: Buffer, send: () => void, lost: 'upLost' | 'downLost'): void {
    const t = now();
    const due = link.schedule(t, msg.length + 28); // + IP/UDP headers
    if (due === undefined) {
      this.counts[lost]++;
      return;
    }
    const wait = due - t;
    if (wait <= 0) {
      this.#send(send);
      return;
    }
    // Timers fire a little late; aim early and finish the wait on the event loop.
    setTimeout(() => this.#sendAt(due, send), Math.max(0, wait - 1));
  }

  #sendAt(due: number, send: () => void): void {
    if (now() >= due - 0.05) this.#send(send);
    else setImmediate(() => this.#sendAt(due, send));
  }

  #send(send: () => void): void {
    if (!this.#closed) send();
  }

  #sweep(): void {
    const horizon = now() - (this.#o.idleTimeoutMs ?? 60_000);
    for (const [key, f] of this.#flows) {
      if (f.lastSeen >= horizon) continue;
      f.socket.close();
      this.#flows.delete(key);
    }
  }
}
