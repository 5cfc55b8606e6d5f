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
import { InstrumentedEventStore, ObservabilityModule, VigilLogger, VigilMetrics } from '@vigil/observability';

/**
 * The HTTP API alone, for deployments that run the projector and the notifier as their own processes
 * (`apps/projector`, `apps/notifier`). It reads the read models the projector keeps (VIGIL_READ_MODELS:
 * PostgreSQL when the events are there, else VIGIL_PROJECTIONS_FILE, default `<VIGIL_DATA_DIR>/projections.sqlite`).
 */
async function main(): Promise<void> {
  const config = configFromEnv();
  const metrics = new VigilMetrics();
  metrics.setRoleOwner('api', true);
  const configured = await createEventStore(eventStoreConfigFromEnv({ ...process.env, VIGIL_DATA_DIR: config.dataDir }));
  const store = notingWritePositions(new InstrumentedEventStore(configured, metrics));

  @Module({
    imports: [
      EventStoreModule.forStore(store),
      ReadSideModule.forRoot({}, { ...process.env, VIGIL_DATA_DIR: config.dataDir }),
      ApiModule.forConfig(config),
      SafetyApiModule,
      ReportsApiModule,
      // Metrics, health probes and JSON logs, as on every Vigil node.
      ObservabilityModule.forRoot({ metrics }),
    ],
  })
  class ApiAppModule {}

  const http = httpConfigFromEnv();
  const app = await NestFactory.create<NestFastifyApplication>(ApiAppModule, vigilFastifyAdapter(http), { bufferLogs: true });
  app.useLogger(app.get(VigilLogger));
  await setupHttp(app, http);
  await app.listen(config.port, '0.0.0.0');
  new Logger('Api').log(`Vigil API listening on http://localhost:${config.port} (docs at /docs)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Vigil API could not start: ${error.message}` : error);
  process.exit(1);
});
