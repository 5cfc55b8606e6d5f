import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ReadModelDatabase } from '../engine/read-model-database';
import { AlertList } from './alerts/alert-list';
import { PatientOverviews } from './patients/patient-overview';

export interface ReadModelsOptions {
  /** `<VIGIL_DATA_DIR>/projections.sqlite`, or `:memory:` (then only this process sees it). */
  file: string;
}

/**
 * The read-model database and its queries, for the whole application (AlertList, PatientOverviews).
 * Imported by the projector's module; a process that only answers queries imports it alone.
 * Read-your-writes (ReadModelProgress) is provided where the reactors are known (libs/alerting).
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
        { provide: PatientOverviews, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new PatientOverviews(db) },
      ],
      exports: [ReadModelDatabase, AlertList, PatientOverviews],
    };
  }

  onApplicationShutdown(): void {
    this.db.close();
  }
}
