import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type Redis from 'ioredis';
import type { TripStatus } from '@app/contracts';
import type { TripAction } from '@app/domain';
import { REDIS } from '../infrastructure/redis.module';
import type { TripRecord } from '../modules/trips/trip.model';
import { PROCESS_ID } from './duties/duties.tokens';

/**
 * In-process events between modules, by name. Emitted after the transaction that caused them
 * has committed; the database stays the truth, so a lost event delays a notification but never
 * corrupts state.
 */
export interface DomainEvents {
  'trip.changed': { trip: TripRecord; from: TripStatus | null; action: TripAction | 'REQUEST' };
}

/**
 * Raised once, on the process where the change was made: for effects that must happen once
 * (tell the rider and driver, revoke an offer, enqueue a job).
 */
export const TRIP_CHANGED = 'trip.changed';
/**
 * Raised on every process, for each change made on any of them (through Redis pub/sub): for
 * per-process read models that must follow every trip (the live view of assigned trips).
 */
export const TRIP_CHANGED_ANYWHERE =
  'trip.changed.anywhere' satisfies `${typeof TRIP_CHANGED}.anywhere`;

/** The every-process twin of an event name. */
export const anywhere = (name: keyof DomainEvents) => `${name}.anywhere`;
/** Pub/sub spans Redis databases: the channel names the database, so two deployments on one Redis never hear each other. */
const channelOf = (redis: Redis) => `events:db${redis.options.db ?? 0}`;
const ISO_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

@Injectable()
export class EventBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EventBus.name);
  private subscriber?: Redis;

  constructor(
    private readonly emitter: EventEmitter2,
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(PROCESS_ID) private readonly processId: string,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    this.subscriber = this.redis.duplicate();
    this.subscriber.on('error', (error) =>
      this.logger.warn({ err: error }, 'event subscriber: Redis error (ioredis retries)'),
    );
    this.subscriber.on('message', (_channel: string, message: string) => this.received(message));
    await this.subscriber.subscribe(channelOf(this.redis));
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    this.emitter.emit(name, payload);
    this.emitter.emit(anywhere(name), payload);
    if (this.redis) {
      const message = JSON.stringify({ origin: this.processId, name, payload });
      this.redis
        .publish(channelOf(this.redis), message)
        .catch((error: unknown) =>
          this.logger.warn({ err: error }, 'could not publish a trip change to other processes'),
        );
    }
  }

  private received(message: string): void {
    // Dates travel as ISO strings; our records name every date field `...At`.
    const { origin, name, payload } = JSON.parse(message, (key, value) =>
      typeof value === 'string' && key.endsWith('At') && ISO_DATE.test(value)
        ? new Date(value)
        : value,
    ) as { origin: string; name: keyof DomainEvents; payload: unknown };
    if (origin !== this.processId) this.emitter.emit(anywhere(name), payload);
  }
}
