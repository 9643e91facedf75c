import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { DriverStatus } from '@app/contracts';
import { Clock, CLOCK } from '../../common/clock';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { REDIS } from '../../infrastructure/redis.module';
import { DriverLocationsRepository } from './driver-locations.repository';
import { LiveDriver, LiveDrivers, LiveSnapshot, snapshotOf } from './live-drivers';
import { RedisLiveStore } from './live-store.redis';

/**
 * Makes live locations outlive the process. Pings only mark a driver dirty; a timer writes the
 * dirty ones to Redis in one batch per tick, and to PostgreSQL at most once per
 * LOCATION_DB_WRITE_INTERVAL_MS per driver (status changes at the next tick). At start the
 * index is rebuilt from Redis when there is one, else from PostgreSQL.
 */
@Injectable()
export class LivePersistence implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LivePersistence.name);
  private readonly redisStore: RedisLiveStore | null;
  private readonly redisDirty = new Set<LiveDriver>();
  private readonly dbPending = new Set<LiveDriver>();
  private readonly dbUrgent = new Set<LiveDriver>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly live: LiveDrivers,
    private readonly repository: DriverLocationsRepository,
    @Inject(REDIS) redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.redisStore = redis && new RedisLiveStore(redis);
  }

  moved(driver: LiveDriver): void {
    this.redisDirty.add(driver);
    this.dbPending.add(driver);
  }

  statusChanged(driver: LiveDriver): void {
    this.moved(driver);
    this.dbUrgent.add(driver);
  }

  async rebuild(): Promise<number> {
    const snapshots = this.redisStore
      ? await this.redisStore.loadAll()
      : await this.repository.findOnline();
    for (const snapshot of snapshots) {
      if (snapshot.status !== DriverStatus.OFFLINE) this.live.restore(snapshot);
    }
    return snapshots.length;
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

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush({ everything: true });
  }

  private async write(everything: boolean): Promise<void> {
    if (this.redisStore && this.redisDirty.size > 0) {
      const batch = [...this.redisDirty];
      this.redisDirty.clear();
      const online = batch.filter((d) => d.status !== DriverStatus.OFFLINE).map(snapshotOf);
      const offline = batch.filter((d) => d.status === DriverStatus.OFFLINE).map((d) => d.id);
      try {
        await this.redisStore.save(online);
        await this.redisStore.remove(offline);
      } catch (error) {
        batch.forEach((d) => this.redisDirty.add(d));
        throw error;
      }
    }
    const now = this.clock.now();
    const due: LiveSnapshot[] = [];
    const written: LiveDriver[] = [];
    for (const driver of this.dbPending) {
      const isDue = now - driver.lastDbWriteAtMs >= this.config.locations.dbWriteIntervalMs;
      if (everything || isDue || this.dbUrgent.has(driver)) {
        due.push(snapshotOf(driver));
        written.push(driver);
      }
    }
    if (due.length === 0) return;
    await this.repository.upsertMany(due);
    for (const driver of written) {
      driver.lastDbWriteAtMs = now;
      this.dbPending.delete(driver);
      this.dbUrgent.delete(driver);
    }
  }
}
