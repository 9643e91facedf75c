/** Waiting in tests without a fixed sleep: poll with a deadline. */

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until `done` holds or `ms` pass; resolves with the last value and the time. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
  everyMs = 100,
): Promise<{ value: T; ms: number; ok: boolean }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, ms: Date.now() - started, ok: true };
    if (Date.now() - started > ms) return { value, ms: Date.now() - started, ok: false };
    await pause(everyMs);
  }
}
