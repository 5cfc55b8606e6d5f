import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createEventStore, EventStoreModule, eventStoreConfigFromEnv } from '@vigil/event-store';
import { NotifierModule } from '@vigil/messaging';

/** The notifier alone: follows the configured store and delivers alert events. No HTTP. */
async function main(): Promise<void> {
  const store = await createEventStore(eventStoreConfigFromEnv(process.env));

  @Module({ imports: [EventStoreModule.forStore(store), NotifierModule.forRoot()] })
  class NotifierAppModule {}

  const app = await NestFactory.createApplicationContext(NotifierAppModule, { logger: ['log', 'error', 'warn'] });
  app.enableShutdownHooks();
  new Logger('Notifier').log('notifier running');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `Vigil notifier could not start: ${error.message}` : error);
  process.exit(1);
});
