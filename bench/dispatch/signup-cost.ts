/**
 * What one sign-up costs in password hashing: argon2id with the library's defaults
 * (m=64 MiB, t=3, p=4) against the OWASP parameters the server now uses (m=19 MiB, t=2, p=1),
 * sequentially and with 4 at once (libuv's thread pool). Bounded: a fixed count per row.
 *
 *   npx ts-node --transpile-only bench/dispatch/signup-cost.ts
 */
import * as argon2 from 'argon2';
import { PASSWORD_HASH_OPTIONS } from '../../apps/api/src/common/auth/password-hasher';

const COUNT = 40;

async function rate(options: argon2.HashOptions, parallel: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let done = 0; done < COUNT; done += parallel) {
    await Promise.all(
      Array.from({ length: parallel }, () => argon2.hash('rider-password', options)),
    );
  }
  return COUNT / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function main(): Promise<void> {
  const rows: [string, argon2.HashOptions][] = [
    ['library defaults (m=65536, t=3, p=4)', { type: argon2.argon2id }],
    ['OWASP (m=19456, t=2, p=1)', PASSWORD_HASH_OPTIONS],
  ];
  const results: Record<string, { sequentialPerSecond: number; fourAtOncePerSecond: number }> = {};
  for (const [name, options] of rows) {
    const sequential = await rate(options, 1);
    const parallel = await rate(options, 4);
    results[name] = {
      sequentialPerSecond: Math.round(sequential * 10) / 10,
      fourAtOncePerSecond: Math.round(parallel * 10) / 10,
    };
  }
  console.table(results);
  const [before, after] = Object.values(results);
  console.log(
    `hashes/s: x${(after.sequentialPerSecond / before.sequentialPerSecond).toFixed(1)} sequential, ` +
      `x${(after.fourAtOncePerSecond / before.fourAtOncePerSecond).toFixed(1)} four at once`,
  );
}

void main();
