import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { TrialProtocol } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { AlertList } from './alerts/alert-list';
import { ALERT_LIST } from './alerts/alert-list.projection';
import { ReadModelDatabase } from './read-model-database';
import { ReadModelProgress } from './read-model-progress';
import { PatientSafetySummaries } from './safety/patient-safety-summaries';
import { SAFETY_PROCESS } from './safety/safety-process.projection';

/** The read models every safety query waits on for read-your-writes. */
export const SAFETY_READ_MODELS: readonly string[] = [SAFETY_PROCESS, ALERT_LIST];

export interface ReadModelsOptions {
  /** `<VIGIL_DATA_DIR>/projections.sqlite`, or `:memory:` (then only this process sees it). */
  file: string;
  /** The trial's protocol as configured (maintenance window); TRANSREG by default. */
  protocol?: TrialProtocol;
}

/**
 * The read-model database and its queries, for the whole application (AlertList,
 * PatientSafetySummaries, ReadModelProgress). Needs the EventStore under EVENT_STORE.
 * Imported by ProjectorModule; a process that only answers queries imports it alone.
 */
@Global()
@Module({})
export class ReadModelsModule implements OnApplicationShutdown {
  constructor(@Inject(ReadModelDatabase) private readonly db: ReadModelDatabase) {}

  static forRoot(options: ReadModelsOptions): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        { provide: ReadModelDatabase, useFactory: () => new ReadModelDatabase({ file: options.file }) },
        { provide: AlertList, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new AlertList(db) },
        {
          provide: PatientSafetySummaries,
          inject: [ReadModelDatabase, AlertList],
          useFactory: (db: ReadModelDatabase, alerts: AlertList) => new PatientSafetySummaries(db, alerts, options.protocol),
        },
        {
          provide: ReadModelProgress,
          inject: [EVENT_STORE, ReadModelDatabase],
          useFactory: (store: EventStore, db: ReadModelDatabase) => new ReadModelProgress(store, db, SAFETY_READ_MODELS),
        },
      ],
      exports: [ReadModelDatabase, AlertList, PatientSafetySummaries, ReadModelProgress],
    };
  }

  onApplicationShutdown(): void {
    this.db.close();
  }
}
