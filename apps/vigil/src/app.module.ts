import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule, ProjectionsApiModule, ReportsApiModule, SafetyApiModule, VigilConfig } from '@vigil/api';
import { CheckpointsModule } from '@vigil/audit';
import { EventStore, EventStoreModule } from '@vigil/event-store';
import { NotifierModule, notifierConfigFromEnv } from '@vigil/messaging';
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
        ReportsApiModule,
        NotifierModule.forRoot({}, withDataDir),
        ConsoleModule.forRoot({ demo: options.demo ?? false, env: withDataDir }),
        // Signed checkpoints over the log, published where the alerts go (issue 15).
        CheckpointsModule.forRoot({ env: withDataDir, dataDir: config.dataDir, ...checkpointChannels(withDataDir) }),
      ],
    };
  }
}

function checkpointChannels(env: NodeJS.ProcessEnv) {
  const { webhook, kafka, retryBaseMs, retryMaxMs } = notifierConfigFromEnv(env);
  return { webhook, kafka, retryBaseMs, retryMaxMs };
}
