import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReadSideModule } from '@vigil/alerting';
import {
  ApiModule,
  configFromEnv,
  notingWritePositions,
  httpConfigFromEnv,
  ReportsApiModule,
  SafetyApiModule,
  setupHttp,
  vigilFastifyAdapter,
} from '@vigil/api';
import { createEventStore, EventStoreModule, eventStoreConfigFromEnv } from '@vigil/event-store';

/**
 * The HTTP API alone, for deployments that run the projector and the notifier as their own processes
 * (`apps/projector`, `apps/notifier`). It reads the read models the projector keeps (VIGIL_READ_MODELS:
 * PostgreSQL when the events are there, else VIGIL_PROJECTIONS_FILE, default `<VIGIL_DATA_DIR>/projections.sqlite`).
 */
async function main(): Promise<void> {
  const config = configFromEnv();
  const store = notingWritePositions(await createEventStore(eventStoreConfigFromEnv({ ...process.env, VIGIL_DATA_DIR: config.dataDir })));

  @Module({
    imports: [
      EventStoreModule.forStore(store),
      ReadSideModule.forRoot({}, { ...process.env, VIGIL_DATA_DIR: config.dataDir }),
      ApiModule.forConfig(config),
      SafetyApiModule,
      ReportsApiModule,
    ],
  })
  class ApiAppModule {}

  const http = httpConfigFromEnv();
  const app = await NestFactory.create<NestFastifyApplication>(ApiAppModule, vigilFastifyAdapter(http), {
    logger: ['log', 'error', 'warn'],
  });
  await setupHttp(app, http);
  await app.listen(config.port, '0.0.0.0');
  new Logger('Api').log(`Vigil API listening on http://localhost:${config.port} (docs at /docs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Vigil API could not start: ${error.message}` : error);
  process.exit(1);
});
