import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, EventStore } from './event-store';

/**
 * Provides the configured EventStore to the whole application under `EVENT_STORE`.
 * The store is built by the caller (config picks the adapter, docs/architecture.md "Ports and adapters"),
 * and closed when the application shuts down.
 */
@Global()
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  static forStore(store: EventStore): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [{ provide: EVENT_STORE, useValue: store }],
      exports: [EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
