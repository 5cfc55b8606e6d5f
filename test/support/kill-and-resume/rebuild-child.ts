/**
 * A rebuild in a process of its own, for the kill -9 test (test/rebuild.e2e-spec.ts):
 *   node -r ./scripts/register-ts.js rebuild-child.ts <store.sqlite> <projections.sqlite> <batchSize> [pauseMs]
 * Prints a line `progress {json}` per batch (pausing `pauseMs` after each, so a test can kill it
 * half-way), and exits 0 once every read model is rebuilt and live.
 */
import { createSqliteEventStore } from '@vigil/event-store';
import { rebuildProjections } from '@vigil/projections';

async function main(): Promise<void> {
  const [storeFile, readModelFile, batchSize, pauseMs] = process.argv.slice(2);
  const store = await createSqliteEventStore({ file: storeFile });
  try {
    await rebuildProjections({
      store,
      readModelFile,
      batchSize: Number(batchSize),
      onProgress: async ({ state, done, total, resumedFrom }) => {
        process.stdout.write(`progress ${JSON.stringify({ state, done, total, resumedFrom })}\n`);
        if (pauseMs) await new Promise((resolve) => setTimeout(resolve, Number(pauseMs)));
      },
    });
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
