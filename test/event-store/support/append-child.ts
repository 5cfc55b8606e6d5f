/**
 * A writer in a process of its own, for the several-processes tests (postgres-processes.e2e-spec.ts,
 * sqlite-processes.e2e-spec.ts):
 *   node -r ./scripts/register-ts.js append-child.ts <url> <schema> <writer> <appends> <inFlight> <streams>
 * where <url> is a PostgreSQL URL, or `sqlite:<file>` (schema then ignored).
 * Opens the store, prints `ready`, waits for a line on stdin (so every writer starts at once), then appends
 * `appends` commands of 1 to 3 events, `inFlight` at a time, to streams shared with the other writers
 * (expected version 'any'): lab results, and every third command a dose (so a reader of some types has others
 * to pass by). Prints `appended {json}` with the id and position of every event it stored, and exits 0.
 */
import { createInterface } from 'node:readline';
import { createSqliteEventStore } from '@vigil/event-store';
import { createPostgresEventStore } from '../../../libs/event-store/src/postgres/postgres-event-store';

async function main(): Promise<void> {
  const [url, schema, writer, appends, inFlight, streams] = process.argv.slice(2);
  const store = url.startsWith('sqlite:')
    ? await createSqliteEventStore({ file: url.slice('sqlite:'.length) })
    : await createPostgresEventStore({ url, schema, poolSize: Number(inFlight) + 2 });
  const stored: [string, number][] = [];
  try {
    process.stdout.write('ready\n');
    await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
    let next = 0;
    await Promise.all(
      Array.from({ length: Number(inFlight) }, async () => {
        for (let n = next++; n < Number(appends); n = next++) {
          const events = Array.from({ length: 1 + (n % 3) }, (_, k) => ({
            type: n % 3 === 2 ? 'DoseAdministered' : 'LabResultRecorded',
            schemaVersion: 1,
            data: { writer, n, k },
            metadata: { userId: `writer-${writer}`, role: 'investigator', occurredAt: new Date().toISOString(), correlationId: `${writer}-${n}` },
          }));
          const result = await store.append(`patient-${n % Number(streams)}`, events, { expectedVersion: 'any', commandId: `${writer}-${n}` });
          for (const event of result.events) stored.push([event.eventId, event.globalPosition]);
        }
      }),
    );
  } finally {
    await store.close();
  }
  process.stdout.write(`appended ${JSON.stringify(stored)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
