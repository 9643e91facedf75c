import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives the embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.redis.url).toBeUndefined();
    expect(config.admin).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET: must be at least 32/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: '-1', ADMIN_EMAIL: 'boss@example.com' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/ADMIN_PASSWORD/);
    }
  });

  it('refuses the development secrets in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set/);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' }).database.url).toBeUndefined();
  });

  it('parses real service URLs and the admin account', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      REDIS_URL: 'redis://127.0.0.1:6379/1',
      ADMIN_EMAIL: 'Admin@Example.com',
      ADMIN_PASSWORD: 'correct horse',
    });
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379/1');
    expect(config.admin).toEqual({ email: 'admin@example.com', password: 'correct horse' });
  });
});

describe('loadConfig: matching', () => {
  it('parses the matching radii and names a bad list', () => {
    expect(loadConfig({ MATCH_RADII_METERS: '1000,3000' }).matching.radiiMeters).toEqual([
      1000, 3000,
    ]);
    expect(loadConfig({}).matching.radiiMeters).toEqual([2000, 4000, 8000]);
    expect(() => loadConfig({ MATCH_RADII_METERS: '2km' })).toThrow(/MATCH_RADII_METERS/);
  });
});
