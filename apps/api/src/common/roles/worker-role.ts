import { WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../../config/app-config';

/**
 * Starts every BullMQ worker (`@WorkerProcessor`) when this process has the `worker` role, and
 * none otherwise. Workers on several processes share the queues: BullMQ hands each job to one
 * of them and re-queues a job whose worker died (stalled-job recovery).
 */
@Injectable()
export class WorkerRole implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkerRole.name);

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.worker) return;
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    for (const host of hosts) {
      // run() resolves only when the worker closes; errors surface as worker 'error' events.
      void host.worker
        .run()
        .catch((error: unknown) => this.logger.error({ err: error }, 'a queue worker stopped'));
    }
    this.logger.log(`${hosts.length} queue workers started`);
  }
}
