/**
 * The ceiling: a bare socket.io server on `/driver` that acks every `driver:status` and
 * `driver:location` with `{ ok: true }`. No Nest, no auth, no work; what this machine can do
 * with socket.io alone. Usage: `node -r ts-node/register/transpile-only ceiling-server.ts PORT`.
 * Prints `ready` on stdout once listening; exits on SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? 0);
const httpServer = createServer((request, response) => {
  response.writeHead(request.url === '/health/ready' ? 200 : 404).end();
});
const io = new Server(httpServer, { transports: ['websocket'] });

io.of('/driver').on('connection', (socket) => {
  socket.on('driver:status', (payload: { status?: string }, ack?: (answer: object) => void) => {
    if (typeof ack === 'function') ack({ ok: true, status: payload?.status });
  });
  socket.on('driver:location', (_payload: unknown, ack?: (answer: object) => void) => {
    if (typeof ack === 'function') ack({ ok: true });
  });
});

httpServer.listen(port, '127.0.0.1', () => {
  const address = httpServer.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(`ready ${actual}\n`);
});

const stop = () => {
  io.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
