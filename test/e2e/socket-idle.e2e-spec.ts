import type { Socket } from 'socket.io-client';
import { RunningServer } from '../../apps/api/src/server';
import { emitAck, randomCity, signUpDriver } from '../support/clients';
import { startTestServer } from '../support/test-server';
import { pause, waitFor } from '../support/wait';
import { World } from '../support/world';

jest.setTimeout(60_000);

const IDLE_TIMEOUT_MS = 1_000;

/**
 * The idle reaper counts only events a handler knows: a driver socket that pings, or that only
 * changes its status, stays connected well past the idle timeout; one that sends nothing, or
 * only events nobody handles, is disconnected soon after it.
 */
describe('idle driver sockets (SOCKET_IDLE_TIMEOUT_MS = 1 s)', () => {
  let server: RunningServer;
  let world: World;

  beforeAll(async () => {
    server = await startTestServer({ SOCKET_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) });
    world = new World(server.url);
  });
  afterAll(async () => {
    world.close();
    await server.close();
  });

  it('keeps sockets that ping or change status, and drops silent and unknown-event ones', async () => {
    const city = randomCity();
    const pinger = await world.driverAt(city);
    const connect = async () => world.connect('/driver', (await signUpDriver(server.url)).token);
    const [statusOnly, silent, chatter] = await Promise.all([connect(), connect(), connect()]);
    const connectedAt = Date.now();
    const dropped = new Map<Socket, number>();
    for (const socket of [pinger.socket, statusOnly, silent, chatter])
      socket.on('disconnect', () => dropped.set(socket, Date.now() - connectedAt));

    // Every 300 ms: the pinger pings, the status-only driver says AVAILABLE, the chatter emits
    // an event no handler knows; the silent one sends nothing.
    const every = setInterval(() => {
      emitAck(pinger.socket, 'driver:location', { ...pinger.at, ts: Date.now() }).catch(() => 0);
      emitAck(statusOnly, 'driver:status', { status: 'AVAILABLE' }).catch(() => 0);
      chatter.emit('no:such-event', { hello: 1 });
    }, 300);
    try {
      const gone = await waitFor(
        async () => dropped,
        (d) => d.has(silent) && d.has(chatter),
        6 * IDLE_TIMEOUT_MS,
      );
      expect(gone.ok).toBe(true);
      // Never before the timeout, and within two rounds (of 250 ms) after it, plus scheduling.
      for (const socket of [silent, chatter]) {
        expect(dropped.get(socket)).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS - 50);
        expect(dropped.get(socket)).toBeLessThan(IDLE_TIMEOUT_MS + 1_500);
      }
      // The active two outlive three timeouts.
      await pause(Math.max(0, 3 * IDLE_TIMEOUT_MS - (Date.now() - connectedAt)));
      expect(dropped.has(pinger.socket)).toBe(false);
      expect(dropped.has(statusOnly)).toBe(false);
      expect(pinger.socket.connected && statusOnly.connected).toBe(true);
    } finally {
      clearInterval(every);
    }
  });
});
