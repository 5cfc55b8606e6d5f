import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createEventStore, EventStoreModule, eventStoreConfigFromEnv } from '@vigil/event-store';
import { ProjectorModule } from '@vigil/alerting';

/** The projector alone: follows the configured store, keeps the read models, raises and escalates alerts. No HTTP. */
async function main(): Promise<void> {
  const store = await createEventStore(eventStoreConfigFromEnv(process.env));

  @Module({ imports: [EventStoreModule.forStore(store), ProjectorModule.forRoot()] })
  class ProjectorAppModule {}

  const app = await NestFactory.createApplicationContext(ProjectorAppModule, { logger: ['log', 'error', 'warn'] });
  app.enableShutdownHooks();
  new Logger('Projector').log('projector running');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Vigil projector could not start: ${error.message}` : error);
  process.exit(1);
});
