/**
 * Rejects with `message` after `ms` unless `work` settles first. For calls whose client retries
 * for as long as its server is away (BullMQ's Redis connection must, for its workers): without a
 * deadline a request or a probe would wait for the whole outage. `work` itself goes on.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  // The race handles a late rejection of `work`: it is never unhandled.
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
