import { join } from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createEventStore, EventStoreModule, eventStoreConfigFromEnv } from '@vigil/event-store';
import { ReadModelsModule } from '@vigil/projections';
import { protocolFromEnv } from '@vigil/projector';
import { ApiModule } from './api.module';
import { configFromEnv } from './config';
import { httpConfigFromEnv } from './http/http-config';
import { setupHttp, vigilFastifyAdapter } from './http/setup-http';
import { SafetyApiModule } from './safety/safety-api.module';

/**
 * The HTTP API alone, for deployments that run the projector and the notifier as their own processes
 * (`apps/projector`, `apps/notifier`). It reads the read models the projector keeps in
 * VIGIL_PROJECTIONS_FILE (default `<VIGIL_DATA_DIR>/projections.sqlite`).
 */
async function main(): Promise<void> {
  const config = configFromEnv();
  const store = await createEventStore(eventStoreConfigFromEnv({ ...process.env, VIGIL_DATA_DIR: config.dataDir }));
  const readModels = process.env.VIGIL_PROJECTIONS_FILE ?? join(config.dataDir, 'projections.sqlite');

  @Module({
    imports: [
      EventStoreModule.forStore(store),
      ReadModelsModule.forRoot({ file: readModels, protocol: protocolFromEnv(process.env) }),
      ApiModule.forConfig(config),
      SafetyApiModule,
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
