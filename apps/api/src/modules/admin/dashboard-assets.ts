import { Logger } from '@nestjs/common';
import type { ServeStaticModuleOptions } from '@nestjs/serve-static';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const DASHBOARD_PATH = '/dashboard';

/**
 * The page may load and connect to its own origin only: no tiles, fonts or scripts from
 * anywhere else, enforced by the browser as well as by how the page is written.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; " +
  "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const logger = new Logger('Dashboard');

/** apps/dashboard, found upwards from here (ts-node runs this file in place; a build does not). */
function findSource(): string | null {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'apps', 'dashboard');
    if (existsSync(join(candidate, 'src', 'main.ts'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

/**
 * Bundles apps/dashboard with esbuild's API into a folder named by the bundle's hash under the
 * OS temp dir, once per process (~0.1 s). Building at boot means `npm start`, `npm run demo`
 * and `npm test` serve the current page on a fresh clone with no build step to forget, and a
 * stale bundle cannot exist. Processes that build the same page share one folder (written
 * aside, then renamed into place). Without the sources or esbuild (a dev dependency, absent
 * from a production install) there is no page, which is logged, and the API is unaffected.
 */
async function buildDashboard(): Promise<string | null> {
  const source = findSource();
  if (!source) {
    logger.warn('no apps/dashboard next to the server: /dashboard is not served');
    return null;
  }
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    logger.warn('esbuild is not installed (a dev dependency): /dashboard is not served');
    return null;
  }
  const result = await esbuild.build({
    entryPoints: [join(source, 'src', 'main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    tsconfig: join(source, 'tsconfig.json'),
    write: false,
    logLevel: 'silent',
  });
  const js = result.outputFiles[0].contents;
  const statics = ['index.html', 'dashboard.css'];
  const hash = createHash('sha256').update(js);
  for (const file of statics) hash.update(await readFile(join(source, file)));
  const out = join(tmpdir(), `ridehail-dashboard-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(out, 'app.js'))) return out;
  const aside = `${out}.${process.pid}.tmp`;
  await mkdir(aside, { recursive: true });
  await writeFile(join(aside, 'app.js'), js);
  for (const file of statics) await copyFile(join(source, file), join(aside, file));
  await rename(aside, out).catch(() => rm(aside, { recursive: true, force: true }));
  return resolve(out);
}

let built: Promise<string | null> | undefined;

/** The ServeStaticModule options for the page: /dashboard only, never a fallback for others. */
export async function dashboardStaticOptions(): Promise<ServeStaticModuleOptions[]> {
  built ??= buildDashboard();
  const root = await built;
  if (!root) return [];
  return [
    {
      rootPath: root,
      serveRoot: DASHBOARD_PATH,
      // Only /dashboard/ itself renders the page: an unknown path under it, like any other
      // unknown route, is the API's JSON 404.
      renderPath: '/',
      serveStaticOptions: {
        index: 'index.html',
        fallthrough: true,
        setHeaders: (res: { setHeader(name: string, value: string): void }) => {
          res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
          res.setHeader('Cache-Control', 'no-cache');
        },
      },
    },
  ];
}
