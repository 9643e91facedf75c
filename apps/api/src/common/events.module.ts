import { Global, Module } from '@nestjs/common';
import { EventBus } from './events';

/** The typed in-process event bus, for every module (feature modules only emit and listen). */
@Global()
@Module({ providers: [EventBus], exports: [EventBus] })
export class EventsModule {}
