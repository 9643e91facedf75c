import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVER_NODE_FLAGS } from './node-flags';

const ROOT = join(__dirname, '../../..');

describe('the server is started with SERVER_NODE_FLAGS everywhere', () => {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;

  it.each(['start', 'start:prod'])('npm run %s', (name) => {
    expect(scripts[name]).toMatch(new RegExp(`^node ${SERVER_NODE_FLAGS.join(' ')} `));
  });

  it("the image's CMD", () => {
    const cmd = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .split('\n')
      .find((line) => line.startsWith('CMD '));
    expect(cmd).toBe(
      `CMD ${JSON.stringify(['node', ...SERVER_NODE_FLAGS, 'dist/apps/api/apps/api/src/main.js'])}`,
    );
  });
});
