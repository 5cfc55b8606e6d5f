/**
 * Append throughput of the PostgreSQL adapter. Not a test: run with
 *   node -r ./scripts/register-ts.js libs/event-store/bench/postgres-throughput.ts [seconds] [url]
 */
import { Client } from 'pg';
import { NewEvent } from '../src/event-store';
import { createPostgresEventStore } from '../src/postgres/postgres-event-store';

const seconds = Number(process.argv[2] ?? 3);
const url = process.argv[3] ?? process.env.VIGIL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${process.pid}`;

const event = (i: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { patientId: `TR-${i % 500}`, test: 'PLAT', value: 150 + (i % 100), unit: '10^9/L' },
  metadata: { userId: 'u-1', role: 'investigator', siteId: 'site-1', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: `c-${i}` },
});

async function main() {
  const store = await createPostgresEventStore({ url, schema });
  for (const inFlight of [1, 64]) {
    const deadline = Date.now() + seconds * 1000;
    const started = process.hrtime.bigint();
    let n = 0;
    const writer = async () => {
      while (Date.now() < deadline) {
        const i = n++;
        await store.append(`patient-${inFlight}-${i}`, [event(i)], { expectedVersion: 'no_stream' });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, writer));
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`PostgreSQL store, ${String(inFlight).padStart(2)} in flight  ${Math.round(n / elapsed)} appends/s (${n} in ${elapsed.toFixed(2)} s)`);
  }
  await store.close();
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
  await client.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
