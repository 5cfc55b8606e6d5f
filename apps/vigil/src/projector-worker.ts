import { isMainThread, MessagePort, parentPort, threadId, workerData } from 'node:worker_threads';
import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { AlertingReactor } from '@vigil/alerting';
import { configFromEnv, VigilConfig } from '@vigil/api';
import { createEventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { LAG_FAMILIES, VigilLogger, VigilMetrics } from '@vigil/observability';
import { ReadModelDatabase } from '@vigil/projections';
import { VigilModule } from './app.module';
import { appendingThroughMain, CommitCounter, type FromProjectorThread, type ProjectorWorkerData, type ToProjectorThread } from './projector-thread';

/**
 * The projector thread of the embedded default (projector-thread.ts): the projector and notifier roles in
 * a Nest application context of their own (no HTTP), on the main thread's data directory and configuration.
 */
async function run(port: MessagePort, data: ProjectorWorkerData): Promise<void> {
  const send = (message: FromProjectorThread) => port.postMessage(message);
  const config: VigilConfig = { ...configFromEnv(data.env), ...data.config };
  // The process's own figures (CPU, memory, event loop) are the main thread's to report.
  const metrics = new VigilMetrics({ defaultMetrics: false });
  metrics.setRoleOwner('api', false);
  const store = await createEventStore(eventStoreConfigFromEnv({ ...data.env, VIGIL_DATA_DIR: config.dataDir }));
  // Appends counted where they are made: in the main thread (vigil_appends_total, vigil_alerts_raised_total).
  const log = appendingThroughMain(store, port);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(
      VigilModule.create(config, log, data.env, {
        roles: ['projector', 'notifier'],
        metrics,
        logging: { ...data.logging, thread: threadId },
      }),
      { logger: data.logger, bufferLogs: data.logger !== false },
    );
  } catch (error) {
    await store.close();
    throw error;
  }
  if (data.logger !== false) app.useLogger(app.get(VigilLogger));
  tellProgress(app, send);
  const unfollow = new CommitCounter(data.commits).follow(() => store.wakeSubscriptions?.());
  port.on('message', (message: ToProjectorThread) => {
    if (message.type === 'metrics') void metrics.snapshot(LAG_FAMILIES).then((snapshot) => send({ type: 'metrics', id: message.id, metrics: snapshot }));
    else if (message.type === 'stop') {
      unfollow();
      void app.close().then(() => send({ type: 'stopped' }));
    }
  });
  send({ type: 'ready' });
}

/** Tells the main thread, once per turn of this thread's event loop, that a read model or the alerting reactor moved on. */
function tellProgress(app: INestApplicationContext, send: (message: FromProjectorThread) => void): void {
  let soon = false;
  const tell = () => {
    if (soon) return;
    soon = true;
    setImmediate(() => {
      soon = false;
      send({ type: 'progress' });
    });
  };
  app.get(ReadModelDatabase, { strict: false }).events.on('checkpoint', tell);
  app.get(AlertingReactor, { strict: false }).events.on('checkpoint', tell);
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  run(port, workerData as ProjectorWorkerData).catch((error: unknown) => {
    port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies FromProjectorThread);
    process.exit(1);
  });
}
