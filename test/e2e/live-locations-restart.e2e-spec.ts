import request from 'supertest';
import { RunningServer } from '../../apps/api/src/server';
import { connectSocket, emitAck, randomCity, signUpDriver, signUpRider } from '../support/clients';
import { startTestServer } from '../support/test-server';

jest.setTimeout(60_000);

/**
 * A restart loses no online driver: the index is rebuilt from Redis (when configured) or from
 * PostgreSQL (when not), both written in batches, and flushed on a graceful shutdown.
 */
describe.each([
  ['Redis', {}],
  ['PostgreSQL only', { REDIS_URL: '' }],
])('a restarted server still knows online drivers (%s)', (_, overrides) => {
  let server: RunningServer | undefined;
  afterEach(() => server?.close());

  it('rebuilds the index from the store', async () => {
    server = await startTestServer(overrides);
    const driver = await signUpDriver(server.url, 'PREMIUM');
    const rider = await signUpRider(server.url);
    const city = randomCity();
    const socket = await connectSocket(server.url, '/driver', driver.token);
    await emitAck(socket, 'driver:status', { status: 'AVAILABLE' });
    expect(await emitAck(socket, 'driver:location', { ...city, ts: Date.now() })).toEqual({
      ok: true,
    });
    socket.close();
    await server.close();

    server = await startTestServer(overrides);
    const res = await request(server.url)
      .get('/cabs/nearby')
      .query(city)
      .set('Authorization', `Bearer ${rider.token}`)
      .expect(200);
    expect(res.body.cabs).toEqual([{ cabType: 'PREMIUM', location: city, etaSeconds: 0 }]);
  });
});
