import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule, VigilConfig } from '@vigil/api';
import { EventStore, EventStoreModule } from '@vigil/event-store';

/** The whole system in one process: the embedded default behind `npm start`. */
@Module({})
export class VigilModule {
  static create(config: VigilConfig, store: EventStore): DynamicModule {
    return {
      module: VigilModule,
      imports: [EventStoreModule.forStore(store), ApiModule.forConfig(config)],
    };
  }
}
