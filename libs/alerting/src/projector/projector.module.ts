import { DynamicModule, Module } from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { AlertEscalator, AlertList, AlertStreams, Projector, ReadModelDatabase, ReadModelsModule, safetyProjections } from '@vigil/projections';
import { ProjectorConfig, projectorConfigFromEnv } from './projector.config';
import { ProjectorLifecycle } from './projector.lifecycle';
import { PROJECTOR_CONFIG } from './projector.tokens';

/**
 * Runs the safety process and the read models from the event log, and escalates overdue alerts.
 * Starts on application bootstrap, stops on shutdown. Provides (globally, via ReadModelsModule) the
 * read models' queries and `ReadModelProgress.waitForPosition`, and (globally) the Projector, for the
 * rebuild endpoints of the API in the same process. Needs the EventStore under EVENT_STORE.
 */
@Module({})
export class ProjectorModule {
  static forRoot(overrides: Partial<ProjectorConfig> = {}, env: NodeJS.ProcessEnv = process.env): DynamicModule {
    const config: ProjectorConfig = { ...projectorConfigFromEnv(env), ...overrides };
    return {
      module: ProjectorModule,
      global: true,
      imports: [ReadModelsModule.forRoot({ file: config.readModelsFile, protocol: config.protocol })],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: AlertStreams, inject: [EVENT_STORE], useFactory: (store: EventStore) => new AlertStreams(store) },
        {
          provide: Projector,
          inject: [EVENT_STORE, ReadModelDatabase, AlertStreams],
          useFactory: (store: EventStore, db: ReadModelDatabase, alerts: AlertStreams) =>
            new Projector(store, db, safetyProjections(alerts, undefined, config.protocol), { batchSize: config.batchSize }),
        },
        {
          provide: AlertEscalator,
          inject: [AlertList, AlertStreams],
          useFactory: (list: AlertList, alerts: AlertStreams) =>
            new AlertEscalator(list, alerts, { afterMs: config.escalateAfterMs, checkEveryMs: config.escalationCheckMs }),
        },
        ProjectorLifecycle,
      ],
      exports: [Projector, AlertEscalator, AlertStreams, PROJECTOR_CONFIG],
    };
  }
}
