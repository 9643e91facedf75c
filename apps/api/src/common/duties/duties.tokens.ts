/** The process's lease on city-wide duties (Redis, or the sole process's). */
export const LEASE = Symbol('LEASE');
/** A unique id of this process (host, pid, random), for leases and replication. */
export const PROCESS_ID = Symbol('PROCESS_ID');
