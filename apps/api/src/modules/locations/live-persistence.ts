import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DriverStatus } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { PROCESS_ID } from '../../common/duties/duties.tokens';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../infrastructure/redis.module';
import { DriverLocationsRepository } from './driver-locations.repository';
import {
  LiveDriver,
  LiveDrivers,
  LiveRecord,
  LiveSnapshot,
  recordOf,
  snapshotOf,
} from './live-drivers';
import { LocationsMetrics } from './locations.metrics';
import { PingRate } from './ping-rate';
import { RedisLiveStore } from './live-store.redis';
import { followed, RedisLiveTail, streamEnds, TAIL_COMMAND_TIMEOUT_MS } from './live-stream.redis';

/** PostgreSQL rows written per flush at most (status changes are never held back). */
const DB_ROWS_PER_FLUSH = 2_000;

/**
 * Makes live locations outlive the process and reach the other processes. Pings only mark a
 * driver dirty; a timer writes the dirty ones to Redis each flush (the hash of latest records
 * and the location streams, one MULTI per LOCATION_REDIS_WRITE_RECORDS records), and to PostgreSQL at most once per
 * LOCATION_DB_WRITE_INTERVAL_MS per driver (status changes at the next flush). At start the
 * index is rebuilt from Redis when there is one, else from PostgreSQL; then, with Redis, the
 * process follows the other processes' streams, so its index holds the whole city.
 */
@Injectable()
export class LivePersistence implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LivePersistence.name);
  private readonly redisStore: RedisLiveStore | null;
  private tail?: RedisLiveTail;
  /** Drivers changed since the last Redis write, each once (`LiveDriver.queuedForRedis`). */
  private redisDirty: LiveDriver[] = [];
  /** Insertion-ordered, so it runs oldest write first; a member has `queuedForDb` set. */
  private readonly dbPending = new Set<LiveDriver>();
  private readonly dbUrgent = new Set<LiveDriver>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly live: LiveDrivers,
    private readonly repository: DriverLocationsRepository,
    private readonly metrics: LocationsMetrics,
    private readonly pingRate: PingRate,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(PROCESS_ID) private readonly processId: string,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.redisStore = redis && new RedisLiveStore(redis, processId, config.locations.streamMaxLen);
  }

  /**
   * Called on every accepted ping: two flag reads on the driver, which the ping has just
   * written, where set lookups would touch 20k-entry tables at random (about 1 % of a saturated
   * server's CPU in a perf profile).
   */
  moved(driver: LiveDriver): void {
    this.queueForRedis(driver);
    if (!driver.queuedForDb) {
      driver.queuedForDb = true;
      this.dbPending.add(driver);
    }
    if (driver.lastDbWriteAtMs === -Infinity) this.dbUrgent.add(driver);
  }

  private queueForRedis(driver: LiveDriver): void {
    // Without Redis (the embedded default) there is nothing to write there.
    if (driver.queuedForRedis || !this.redisStore) return;
    driver.queuedForRedis = true;
    this.redisDirty.push(driver);
  }

  statusChanged(driver: LiveDriver): void {
    this.moved(driver);
    this.dbUrgent.add(driver);
  }

  /**
   * Loads the latest records, then (with Redis) follows the streams from where they ended
   * before the load, so no change between the two is missed; a change seen twice is harmless,
   * because only newer parts of a record are applied.
   */
  async rebuild(): Promise<number> {
    if (!this.redis || !this.redisStore) {
      const snapshots = await this.repository.findOnline();
      this.restoreOnline(snapshots);
      return snapshots.length;
    }
    const ends = await streamEnds(this.redis, followed(this.config.locations.partitions));
    const emptied = await this.redisStore.claim();
    const records = await this.redisStore.loadAll();
    this.restoreOnline(records);
    if (emptied && records.length === 0) {
      // A Redis with no live state (new, or restarted empty): PostgreSQL's rows are the best
      // record there is, and the hash is filled from them for the processes that start next.
      this.restoreOnline(await this.repository.findOnline());
      await this.reseed(this.redisStore);
    }
    const tailClient = this.redis.duplicate({ commandTimeout: TAIL_COMMAND_TIMEOUT_MS });
    this.tail = new RedisLiveTail(tailClient, this.processId, (batch) => {
      const now = this.clock.now();
      for (const record of batch) {
        if (this.live.applyRemote(record))
          this.metrics.replicated((now - record.lastPingAtMs) / 1000);
      }
    });
    this.tail.start(ends);
    return records.length;
  }

  /** One write batch; ticks never overlap, so writes of one driver stay in order. */
  flush(options: { everything?: boolean } = {}): Promise<void> {
    this.flushing = this.flushing.then(() =>
      this.write(options.everything ?? false).catch((error: unknown) =>
        this.logger.error({ err: error }, 'writing live locations failed; will retry'),
      ),
    );
    return this.flushing;
  }

  private restoreOnline(snapshots: readonly (LiveSnapshot | LiveRecord)[]): void {
    for (const s of snapshots) if (s.status !== DriverStatus.OFFLINE) this.live.restore(s);
  }

  /**
   * Redis lost the live hash (restarted empty): every driver this process's index holds goes
   * back in, where no newer record was written meanwhile. Without it a process starting now
   * would not know a driver until that driver's next ping.
   */
  private async reseed(store: RedisLiveStore): Promise<void> {
    const records: LiveRecord[] = [];
    for (const driver of this.live.online()) {
      if (driver.status !== DriverStatus.OFFLINE && !Number.isNaN(driver.lat))
        records.push(recordOf(driver));
    }
    const written = await store.reseed(records);
    this.logger.warn(
      { written, known: records.length },
      'live hash was empty; filled from the index',
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.tail?.stop();
    await this.flush({ everything: true });
  }

  private async write(everything: boolean): Promise<void> {
    if (this.redisStore && this.redisDirty.length > 0) {
      const batch = this.redisDirty;
      this.redisDirty = [];
      for (const driver of batch) driver.queuedForRedis = false;
      // In slices, each its own MULTI: encoding and sending 20k records at once held the event
      // loop for 140-320 ms here; a slice is a few ms, and awaiting its reply lets pings in.
      const per = this.config.locations.redisWriteRecords;
      for (let at = 0; at < batch.length; at += per) {
        const slice = batch.slice(at, at + per);
        let emptied: boolean;
        try {
          ({ emptied } = await this.redisStore.write(slice.map(recordOf)));
        } catch (error) {
          for (let i = at; i < batch.length; i++) this.queueForRedis(batch[i]);
          throw error;
        }
        if (emptied) await this.reseed(this.redisStore);
      }
    }
    const now = this.clock.now();
    const due: LiveSnapshot[] = [];
    const written: LiveDriver[] = [];
    // At most DB_ROWS_PER_FLUSH rows a flush (the rest wait for the next): drivers that came
    // online together fall due together, and one upsert of them all would block the event
    // loop, and PostgreSQL, for a long tick every interval. Status changes and first writes
    // go first. A written driver leaves the pending set and re-enters at its next ping, so
    // the set runs oldest write first and the scan stops at the first driver not yet due.
    const room = () => everything || due.length < DB_ROWS_PER_FLUSH;
    for (const driver of this.dbUrgent) {
      if (!room()) break;
      due.push(snapshotOf(driver));
      written.push(driver);
    }
    for (const driver of this.dbPending) {
      if (!room()) break;
      if (this.dbUrgent.has(driver)) continue;
      const isDue = now - driver.lastDbWriteAtMs >= this.config.locations.dbWriteIntervalMs;
      if (!isDue && !everything) break;
      due.push(snapshotOf(driver));
      written.push(driver);
    }
    if (due.length === 0) return;
    await this.repository.upsertMany(due);
    for (const driver of written) {
      driver.lastDbWriteAtMs = now;
      this.dbPending.delete(driver);
      driver.queuedForDb = false;
      this.dbUrgent.delete(driver);
    }
  }
}
