import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule, HealthModule, LabIntakeModule, ProjectionsApiModule, ReportsApiModule, SafetyApiModule, VigilConfig } from '@vigil/api';
import { CheckpointsModule } from '@vigil/audit';
import { EventStore, EventStoreModule } from '@vigil/event-store';
import { labIntakeConfigFromEnv, NotifierModule, notifierConfigFromEnv } from '@vigil/messaging';
import { ProgressWake, ProjectorModule, ReadSideModule } from '@vigil/alerting';
import { LoggingOptions, ObservabilityModule, VigilMetrics } from '@vigil/observability';
import { ConsoleModule } from './console/console.module';
import { ProjectorThread, ProjectorThreadShutdown } from './projector-thread';
import { ALL_ROLES, VigilRole } from './roles';

/**
 * Vigil in one process: by default the whole system, the embedded default behind `npm start` (the HTTP
 * API and the browser console, the projector: read models, safety rules, alerts; the notifier: alert
 * delivery); or the roles chosen (VIGIL_ROLES, `--roles`). A node without the API role answers /health only.
 */
@Module({})
export class VigilModule {
  static create(
    config: VigilConfig,
    store: EventStore,
    env: NodeJS.ProcessEnv,
    options: {
      demo?: boolean;
      roles?: readonly VigilRole[];
      metrics?: VigilMetrics;
      logging?: LoggingOptions;
      /** The projector's word that it moved on, where it runs on another thread of this process (projector-thread.ts). */
      projectorProgress?: ProgressWake;
      /** That thread, stopped when the application closes. */
      projectorThread?: ProjectorThread;
    } = {},
  ): DynamicModule {
    const withDataDir = { ...env, VIGIL_DATA_DIR: config.dataDir };
    const roles = new Set(options.roles ?? ALL_ROLES);
    const api = roles.has('api')
      ? [
          ApiModule.forConfig(config),
          SafetyApiModule,
          ProjectionsApiModule,
          ReportsApiModule,
          ConsoleModule.forRoot({ demo: options.demo ?? false, env: withDataDir }),
          // An API replica reads the read models the projector nodes keep.
          ...(roles.has('projector') ? [] : [ReadSideModule.forRoot({}, withDataDir, options.projectorProgress)]),
        ]
      : [HealthModule];
    const thread = options.projectorThread;
    return {
      module: VigilModule,
      providers: thread ? [{ provide: ProjectorThread, useValue: thread }, ProjectorThreadShutdown] : [],
      imports: [
        EventStoreModule.forStore(store),
        ...api,
        ...(roles.has('projector') ? [ProjectorModule.forRoot({}, withDataDir)] : []),
        ...(roles.has('notifier') ? [NotifierModule.forRoot({}, withDataDir)] : []),
        // Signed checkpoints over the log, published where the alerts go (issue 15): signed where the projector
        // role runs (API replicas would each fold the whole log's Merkle tree again); served by every API node.
        ...(roles.has('api') || roles.has('projector')
          ? [CheckpointsModule.forRoot({ env: withDataDir, dataDir: config.dataDir, run: roles.has('projector'), ...checkpointChannels(withDataDir) })]
          : []),
        // Lab results from the Kafka lab topic, when VIGIL_KAFKA_LAB_TOPIC is set (issue 13): API nodes share its partitions.
        ...(roles.has('api') ? [LabIntakeModule.forRoot(labIntakeConfigFromEnv(withDataDir))] : []),
        // Metrics, health probes and structured logs on every node (issue 13).
        ObservabilityModule.forRoot({ metrics: options.metrics ?? new VigilMetrics(), env, ...(options.logging ? { logging: options.logging } : {}) }),
      ],
    };
  }
}

function checkpointChannels(env: NodeJS.ProcessEnv) {
  const { webhook, kafka, retryBaseMs, retryMaxMs } = notifierConfigFromEnv(env);
  return { webhook, kafka, retryBaseMs, retryMaxMs };
}
