import net from 'node:net';

/**
 * A TCP forwarder whose "network" can be cut: while cut, every connection through it is
 * dropped and new ones are refused, as when a phone loses its signal. With the harness's
 * UdpRelay (media) it puts the whole client ↔ server path under the test's control.
 */
export class TcpProxy {
  readonly #server: net.Server;
  readonly #sockets = new Set<net.Socket>();
  #cut = false;

  private constructor(
    server: net.Server,
    readonly target: { host: string; port: number },
  ) {
    this.#server = server;
    server.on('connection', (client) => this.#accept(client));
  }

  static async start(listen: { host: string; port: number }, target: { host: string; port: number }) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listen.port, listen.host, () => resolve());
    });
    return new TcpProxy(server, target);
  }

  /** Drops every connection now; refuses new ones until restore(). */
  cut(): void {
    this.#cut = true;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  restore(): void {
    this.#cut = false;
  }

  close(): void {
    this.cut();
    this.#server.close();
  }

  #accept(client: net.Socket): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.target.port, this.target.host);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        this.#sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
