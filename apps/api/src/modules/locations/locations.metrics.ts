import { Counter, Gauge, Histogram, register } from 'prom-client';
import { LiveDrivers } from './live-drivers';

export const PING_OUTCOMES = [
  'accepted',
  'VALIDATION',
  'RATE_LIMITED',
  'IMPLAUSIBLE_LOCATION',
  'INVALID_STATE',
] as const;
export type PingOutcome = (typeof PING_OUTCOMES)[number];

/**
 * The locations module's Prometheus metrics. Nothing here runs per accepted ping: prom-client
 * hashes the labels and allocates on every `inc` and `observe`, so accepted pings are counted
 * by the caller and added per tick, and the ping-to-index histogram is fed a sample.
 */
export class LocationsMetrics {
  private readonly pings: Record<PingOutcome, { inc(): void }>;
  private readonly pingsAccepted: { inc(count: number): void };
  private readonly pingToIndex: Histogram;
  private readonly replicationLag: Histogram;

  constructor(live: LiveDrivers, staleAfterMs: number) {
    for (const name of [
      'ridehail_pings_total',
      'ridehail_ping_to_index_seconds',
      'ridehail_drivers',
      'ridehail_index_shard_drivers',
      'ridehail_location_replication_lag_seconds',
    ]) {
      register.removeSingleMetric(name);
    }
    const counter = new Counter({
      name: 'ridehail_pings_total',
      help: 'Driver location pings by outcome (accepted, or the refusal code)',
      labelNames: ['outcome'],
    });
    this.pings = Object.fromEntries(
      PING_OUTCOMES.map((outcome) => [outcome, counter.labels(outcome)]),
    ) as Record<PingOutcome, { inc(): void }>;
    this.pingsAccepted = counter.labels('accepted');
    this.pingToIndex = new Histogram({
      name: 'ridehail_ping_to_index_seconds',
      help: 'Time from receiving a ping to its position being searchable in the index (1 in 64 accepted pings)',
      buckets: [0.000005, 0.00001, 0.00002, 0.00005, 0.0001, 0.0005, 0.001, 0.005],
    });
    this.replicationLag = new Histogram({
      name: 'ridehail_location_replication_lag_seconds',
      help: 'From a ping accepted on another process to the driver moving in this index',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
    });
    new Gauge({
      name: 'ridehail_drivers',
      help: 'Drivers known to this process by live state (stale: online without a fresh ping)',
      labelNames: ['state'],
      collect() {
        const counts = live.counts(Date.now() - staleAfterMs);
        this.set({ state: 'available' }, counts.available);
        this.set({ state: 'on_trip' }, counts.onTrip);
        this.set({ state: 'stale' }, counts.stale);
      },
    });
    new Gauge({
      name: 'ridehail_index_shard_drivers',
      help: 'Drivers in each shard (geohash cell) of the location index',
      labelNames: ['shard'],
      collect() {
        this.reset();
        for (const shard of live.index.shards()) this.set({ shard: shard.cell }, shard.size);
      },
    });
  }

  /** A refused ping (the rare path), counted at once. */
  ping(outcome: PingOutcome): void {
    this.pings[outcome].inc();
  }

  /** Accepted pings, added once per tick by the caller that counts them. */
  accepted(count: number): void {
    this.pingsAccepted.inc(count);
  }

  pingIndexed(seconds: number): void {
    this.pingToIndex.observe(seconds);
  }

  replicated(lagSeconds: number): void {
    if (lagSeconds >= 0) this.replicationLag.observe(lagSeconds);
  }
}
