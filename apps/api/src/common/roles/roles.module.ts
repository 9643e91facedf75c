import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WorkerRole } from './worker-role';

@Global()
@Module({ imports: [DiscoveryModule], providers: [WorkerRole] })
export class RolesModule {}
