import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule, ProjectionsApiModule, SafetyApiModule, VigilConfig } from '@vigil/api';
import { EventStore, EventStoreModule } from '@vigil/event-store';
import { NotifierModule } from '@vigil/messaging';
import { ProjectorModule } from '@vigil/alerting';
import { ConsoleModule } from './console/console.module';

/**
 * The whole system in one process, the embedded default behind `npm start`: the HTTP API, the
 * projector (read models, safety rules, alerts), the notifier (alert delivery) and the browser console.
 */
@Module({})
export class VigilModule {
  static create(config: VigilConfig, store: EventStore, env: NodeJS.ProcessEnv, options: { demo?: boolean } = {}): DynamicModule {
    const withDataDir = { ...env, VIGIL_DATA_DIR: config.dataDir };
    return {
      module: VigilModule,
      imports: [
        EventStoreModule.forStore(store),
        ApiModule.forConfig(config),
        ProjectorModule.forRoot({}, withDataDir),
        SafetyApiModule,
        ProjectionsApiModule,
        NotifierModule.forRoot({}, withDataDir),
        ConsoleModule.forRoot({ demo: options.demo ?? false, env: withDataDir }),
      ],
    };
  }
}
