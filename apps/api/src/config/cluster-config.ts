import { z } from 'zod';
import { ConfigError } from './app-config';

const schema = z.object({
  DATABASE_URL: z.string({ error: 'is required: processes share the city through PostgreSQL' }),
  REDIS_URL: z.string({ error: 'is required: processes share the city through Redis' }),
  CLUSTER_API: z.coerce.number().int().min(0).max(32).default(2),
  CLUSTER_WORKERS: z.coerce.number().int().min(0).max(32).default(1),
  PORT: z.coerce.number().int().min(1).max(65_000).default(3000),
});

/** What `npm run cluster` starts, and the environment its processes inherit. */
export interface ClusterSettings {
  apis: number;
  workers: number;
  basePort: number;
  /** Passed to every process (each validates it as the server's config). */
  env: Record<string, string | undefined>;
}

export function loadClusterConfig(
  source: Record<string, string | undefined> = process.env,
): ClusterSettings {
  const env = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return { apis: e.CLUSTER_API, workers: e.CLUSTER_WORKERS, basePort: e.PORT, env: { ...source } };
}
