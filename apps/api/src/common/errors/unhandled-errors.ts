import { Counter, register } from 'prom-client';

const NAME = 'ridehail_unhandled_errors_total';
export type Transport = 'http' | 'socket';

/**
 * `ridehail_unhandled_errors_total{transport}`: errors answered 500 / INTERNAL. Each one is a bug
 * (the fuzz test fails on any). Looked up in the global registry on each use, because a server
 * closed in this process clears it (server.ts) and the next one must count from zero again.
 */
function counter(): Counter<'transport'> {
  const existing = register.getSingleMetric(NAME) as Counter<'transport'> | undefined;
  if (existing) return existing;
  const created = new Counter({
    name: NAME,
    help: 'Errors answered 500 (HTTP) or INTERNAL (socket ack): each one is a bug',
    labelNames: ['transport'],
  });
  // Both series exported from the start, at 0, so a rate() over them is defined.
  created.inc({ transport: 'http' }, 0);
  created.inc({ transport: 'socket' }, 0);
  return created;
}

export function countUnhandledError(transport: Transport): void {
  counter().inc({ transport });
}

/** Registers the counter at 0 (called at boot, so /metrics shows it before any error). */
export function registerUnhandledErrorsMetric(): void {
  counter();
}
