import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * What the proxy does to traffic:
 * - `pass`: forwards both ways;
 * - `blackhole`: accepts connections and reads what is sent, but forwards nothing and answers
 *   nothing, like a peer whose network stopped (a client waits for its own timeouts);
 * - `reset`: destroys every connection at once, and each new one as soon as it is accepted;
 * - `refuse`: stops listening, so a connection attempt gets ECONNREFUSED.
 */
export type FaultMode = 'pass' | 'blackhole' | 'reset' | 'refuse';

interface Link {
  client: Socket;
  upstream?: Socket;
  /** Stopped by a blackhole: bytes are read and dropped, nothing is forwarded again. */
  held: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 for fault tests (Toxiproxy is not available here): put it between a
 * server process and PostgreSQL or Redis, and switch its mode while the test runs. A connection
 * caught by a blackhole stays held until the mode changes again, then it is destroyed: the bytes
 * it dropped would have broken the protocol, and a real client reconnects after a partition too.
 */
export class FaultProxy {
  private readonly links = new Set<Link>();
  private server: Server | undefined;
  private current: FaultMode = 'pass';
  /** Bytes that reached the proxy while it dropped them, for a test to see that it did. */
  droppedBytes = 0;

  private constructor(
    readonly target: { host: string; port: number },
    public port: number,
  ) {}

  /** Listens on `port` (0: one the kernel picks) and forwards to `target`. */
  static async start(target: { host: string; port: number }, port = 0): Promise<FaultProxy> {
    const proxy = new FaultProxy(target, port);
    await proxy.listen();
    return proxy;
  }

  get mode(): FaultMode {
    return this.current;
  }

  /** The URL of `url`'s service seen through this proxy (same scheme, user, path). */
  url(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  get connections(): number {
    return this.links.size;
  }

  async setMode(mode: FaultMode): Promise<void> {
    const previous = this.current;
    this.current = mode;
    if (mode === previous) return;
    if (previous === 'refuse') await this.listen();
    for (const link of this.links) {
      if (mode === 'blackhole') this.hold(link);
      else if (mode === 'reset' || mode === 'refuse' || link.held) this.drop(link);
    }
    if (mode === 'refuse') await this.stopListening();
  }

  async close(): Promise<void> {
    for (const link of this.links) this.drop(link);
    await this.stopListening();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private stopListening(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const link: Link = { client, held: false };
    this.links.add(link);
    client.on('error', () => this.drop(link));
    client.on('close', () => this.drop(link));
    if (this.current === 'reset' || this.current === 'refuse') return this.drop(link);
    if (this.current === 'blackhole') return this.hold(link);
    const upstream = createConnection(this.target);
    link.upstream = upstream;
    upstream.on('error', () => this.drop(link));
    upstream.on('close', () => this.drop(link));
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private hold(link: Link): void {
    if (link.held) return;
    link.held = true;
    link.client.unpipe();
    link.upstream?.unpipe();
    // Keep reading (a peer that stops reading would push back on the sender), drop every byte.
    link.client.on('data', (chunk: Buffer) => (this.droppedBytes += chunk.length));
    link.upstream?.on('data', (chunk: Buffer) => (this.droppedBytes += chunk.length));
    link.client.resume();
    link.upstream?.resume();
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    // An RST, not a FIN: what a client sees when the network or the peer goes away abruptly.
    reset(link.client);
    if (link.upstream) reset(link.upstream);
  }
}

/**
 * Resets a socket that is still open both ways, and only destroys one that is connecting or
 * already half closed: on Node 20 a `resetAndDestroy` of a socket whose peer has ended leaves
 * its handle polling forever (a core busy, and a jest run that never exits).
 */
function reset(socket: Socket): void {
  if (socket.destroyed) return;
  if (socket.readyState === 'open') socket.resetAndDestroy();
  else socket.destroy();
}
