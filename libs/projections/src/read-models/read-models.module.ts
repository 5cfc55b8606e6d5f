import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ReadModelDatabase } from '../engine/read-model-database';
import { createReadModelStore, ReadModelStoreConfig } from '../store/create-read-model-store';
import { AlertList } from './alerts/alert-list';
import { PatientOverviews } from './patients/patient-overview';

/**
 * The read-model database and its queries, for the whole application (AlertList, PatientOverviews).
 * Imported by the projector's module; a process that only answers queries imports it alone.
 * Read-your-writes (ReadModelProgress) is provided where the reactors are known (libs/alerting).
 */
@Global()
@Module({})
export class ReadModelsModule implements OnApplicationShutdown {
  constructor(@Inject(ReadModelDatabase) private readonly db: ReadModelDatabase) {}

  static forRoot(config: ReadModelStoreConfig): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        { provide: ReadModelDatabase, useFactory: async () => ReadModelDatabase.open(await createReadModelStore(config)) },
        { provide: AlertList, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new AlertList(db) },
        { provide: PatientOverviews, inject: [ReadModelDatabase], useFactory: (db: ReadModelDatabase) => new PatientOverviews(db) },
      ],
      exports: [ReadModelDatabase, AlertList, PatientOverviews],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
