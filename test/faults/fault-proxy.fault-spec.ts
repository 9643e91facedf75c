import { createConnection, createServer, Server, Socket } from 'node:net';
import { FaultProxy } from '../support/fault-proxy';

/** A client connection with everything it received and how it ended. */
interface Probe {
  socket: Socket;
  received(): string;
  ended: Promise<string>;
  connected: Promise<void>;
}

function probe(port: number): Probe {
  const socket = createConnection({ host: '127.0.0.1', port });
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  const ended = new Promise<string>((resolve) => {
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.once('close', () => resolve('closed'));
  });
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, received: () => data, ended, connected };
}

const until = async (done: () => boolean, ms = 2_000) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return done();
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FaultProxy', () => {
  let echo: Server;
  let echoPort: number;
  let upstreamBytes = 0;
  let proxy: FaultProxy;
  const probes: Probe[] = [];
  const open = (port = proxy.port) => {
    const p = probe(port);
    probes.push(p);
    return p;
  };

  beforeAll(async () => {
    echo = createServer((socket) => {
      socket.on('data', (chunk) => {
        upstreamBytes += chunk.length;
        socket.write(chunk);
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    echoPort = (echo.address() as { port: number }).port;
  });

  beforeEach(async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: echoPort });
  });

  afterEach(async () => {
    probes.splice(0).forEach((p) => p.socket.destroy());
    await proxy.close();
  });

  afterAll(() => new Promise((resolve) => echo.close(resolve)));

  it('passes bytes both ways', async () => {
    const p = open();
    p.socket.write('hello');
    expect(await until(() => p.received() === 'hello')).toBe(true);
    expect(proxy.url('redis://127.0.0.1:6379/15')).toBe(`redis://127.0.0.1:${proxy.port}/15`);
  });

  it('blackholes live and new connections, then drops the held ones when it passes again', async () => {
    const live = open();
    live.socket.write('a');
    expect(await until(() => live.received() === 'a')).toBe(true);

    await proxy.setMode('blackhole');
    const before = upstreamBytes;
    live.socket.write('b');
    const fresh = open();
    await fresh.connected; // accepted...
    fresh.socket.write('c');
    await pause(300);
    expect(live.received()).toBe('a'); // ...but nothing answers,
    expect(fresh.received()).toBe('');
    expect(upstreamBytes).toBe(before); // nothing reaches the service,
    expect(await until(() => proxy.droppedBytes === 2)).toBe(true); // every byte is read.

    await proxy.setMode('pass');
    expect(await live.ended).toMatch(/ECONNRESET|closed/);
    expect(await fresh.ended).toMatch(/ECONNRESET|closed/);
    const after = open();
    after.socket.write('d');
    expect(await until(() => after.received() === 'd')).toBe(true);
  });

  it('resets live connections and every new one', async () => {
    const live = open();
    live.socket.write('a');
    expect(await until(() => live.received() === 'a')).toBe(true);
    await proxy.setMode('reset');
    expect(await live.ended).toMatch(/ECONNRESET|closed/);
    expect(await open().ended).toMatch(/ECONNRESET|closed/);
    await proxy.setMode('pass');
    const after = open();
    after.socket.write('b');
    expect(await until(() => after.received() === 'b')).toBe(true);
  });

  it('refuses connections on its port, then listens on the same port again', async () => {
    const port = proxy.port;
    const live = open();
    await live.connected;
    await proxy.setMode('refuse');
    expect(await live.ended).toMatch(/ECONNRESET|closed/);
    expect(await open(port).ended).toBe('ECONNREFUSED');
    await proxy.setMode('pass');
    expect(proxy.port).toBe(port);
    const after = open(port);
    after.socket.write('c');
    expect(await until(() => after.received() === 'c')).toBe(true);
  });
});
