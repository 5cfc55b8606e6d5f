import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule, ProjectionsApiModule, SafetyApiModule, VigilConfig } from '@vigil/api';
import { CheckpointsModule } from '@vigil/audit';
import { EventStore, EventStoreModule } from '@vigil/event-store';
import { NotifierModule, notifierConfigFromEnv } from '@vigil/notifier';
import { ProjectorModule } from '@vigil/projector';

/**
 * The whole system in one process, the embedded default behind `npm start`: the HTTP API, the
 * projector (read models, safety rules, alerts) and the notifier (alert delivery).
 */
@Module({})
export class VigilModule {
  static create(config: VigilConfig, store: EventStore, env: NodeJS.ProcessEnv): DynamicModule {
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
