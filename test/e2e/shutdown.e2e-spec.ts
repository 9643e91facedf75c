import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import request from 'supertest';
import { connectSocket, signUpDriver } from '../support/clients';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services';
import { TEST_JWT_SECRET } from '../support/test-server';

jest.setTimeout(90_000);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const ok = await request(url)
      .get('/health/ready')
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('server did not become ready');
}

/** `npm start` as a real process: SIGTERM closes sockets, workers and pools, then exits 0. */
describe('graceful shutdown', () => {
  it('drains on SIGTERM: clients are disconnected and the process exits 0', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'apps/api/src/main.ts',
      ],
      {
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: TEST_DATABASE_URL,
          REDIS_URL: TEST_REDIS_URL,
          JWT_SECRET: TEST_JWT_SECRET,
          AUTH_RATE_LIMIT: '10000',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitReady(url, child);
      const driver = await signUpDriver(url);
      const socket = await connectSocket(url, '/driver', driver.token);
      const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));

      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      const reason = await disconnected;
      expect(code).toBe(0);
      expect(reason).toMatch(/server|transport close/);
      expect(stderr).toContain('SIGTERM: shutting down');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
