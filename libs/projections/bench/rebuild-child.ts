/**
 * The measured process of rebuild-throughput.ts: rebuilds read models of a SQLite store into a
 * read-model file and prints one JSON line {events, ms, eventsPerSecond, heapMB}. Peak RSS is taken
 * by the parent from /usr/bin/time -v, for the whole process.
 *   node -r ./scripts/register-ts.js rebuild-child.ts <store> <read-models> <batchSize> [name…]
 */
import { createSqliteEventStore } from '@vigil/event-store';
import { rebuildProjections } from '@vigil/projections';

async function main(): Promise<void> {
  const [storeFile, readModelFile, batchSize, ...names] = process.argv.slice(2);
  const store = await createSqliteEventStore({ file: storeFile });
  try {
    const started = process.hrtime.bigint();
    const done = await rebuildProjections({ store, readModelFile, names, batchSize: Number(batchSize) });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const appended = (await store.headPosition()) - done.total;
    console.log(
      JSON.stringify({
        events: done.events,
        ms: Math.round(ms),
        eventsPerSecond: Math.round(done.events / (ms / 1000)),
        appended,
        heapMB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
      }),
    );
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
