import { Logger } from '@nestjs/common';
import * as projections from '@vigil/projections';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { nowMs, peakRssMB } from '../support/stats';

/**
 * Builds every read model the embedded Vigil runs (readModels(): the patients' overview and the alert
 * list) from the start of the log into a fresh read-model database, until each has caught up with the
 * head; in its own process so its peak memory is its own.
 *
 *   node projection-rebuild.js --probe                  → {available, reason?}
 *   node projection-rebuild.js <store> <readModelFile>  → progress lines {position, head, ms, peakRssMB},
 *                                                         then {done: true, position, head, ms, peakRssMB}
 */
const needed = ['Projector', 'ReadModelDatabase', 'readModels'] as const;

async function rebuild(store: EventStore, readModelFile: string): Promise<void> {
  const db = new projections.ReadModelDatabase({ file: readModelFile });
  const projector = new projections.Projector(store, db, projections.readModels());
  const started = nowMs();
  let reported = 0;
  const report = (position: number, head: number, done: boolean) =>
    console.log(JSON.stringify({ done, position, head, ms: nowMs() - started, peakRssMB: peakRssMB() }));
  await projector.start();
  try {
    for (;;) {
      const statuses = await projector.status();
      const failed = statuses.find((status) => status.state === 'failed');
      if (failed) throw new Error(`projection ${failed.name} failed: ${failed.error}`);
      // The slowest projection says how far the rebuild is.
      const position = Math.min(...statuses.map((status) => status.position));
      const head = Math.max(...statuses.map((status) => status.head));
      if (position >= head) return report(position, head, true);
      if (nowMs() - reported >= 500) {
        reported = nowMs();
        report(position, head, false);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await projector.stop();
    await db.close();
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error', 'warn']);
  const missing = needed.filter((name) => typeof (projections as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    console.log(JSON.stringify({ available: false, reason: `@vigil/projections exports no ${missing.join(', ')}` }));
    return;
  }
  const args = process.argv.slice(2);
  if (args[0] === '--probe') {
    console.log(JSON.stringify({ available: true }));
    return;
  }
  const [storeFile, readModelFile] = args;
  const store = await createSqliteEventStore({ file: storeFile });
  try {
    await rebuild(store, readModelFile);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
