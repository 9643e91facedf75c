import { loadDemoConfig } from './demo-config';

describe('loadDemoConfig', () => {
  it('starts the embedded server on 127.0.0.1 with a seeded admin and room for the simulation', () => {
    const { config, settings } = loadDemoConfig({});
    expect(config.database.url).toBeUndefined();
    expect(config.http).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(config.admin).toEqual({ email: 'admin@demo.local', password: 'demo-admin-password' });
    expect(config.auth.rateLimit).toBe(100_000);
    expect(settings).toEqual({
      drivers: 200,
      riders: 100,
      durationSeconds: 60,
      speedKmh: 150,
      exitAfter: false,
    });
  });

  it('lets the environment win and names a bad value', () => {
    const { config, settings } = loadDemoConfig({
      PORT: '4000',
      DEMO_DRIVERS: '10',
      DEMO_EXIT: '1',
    });
    expect(config.http.port).toBe(4000);
    expect(settings).toMatchObject({ drivers: 10, exitAfter: true });
    expect(() => loadDemoConfig({ DEMO_RIDERS: 'many' })).toThrow(/DEMO_RIDERS/);
  });
});
