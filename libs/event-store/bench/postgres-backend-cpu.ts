/**
 * The PostgreSQL backend's CPU per `append_batch` call (one append of one event, and a batch of 64), beside raw `pg`
 * inserts of as many rows into a table of the event's shape, one committed statement each, interleaved. Read from
 * /proc/<backend pid>/stat, so the server must be on this machine: unlike the bench's rates, it does not move with the
 * disk's commit latency. Not a test: run with
 *   node -r ./scripts/register-ts.js libs/event-store/bench/postgres-backend-cpu.ts [calls] [url]
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { prepareAppend } from '../src/append-request';
import { NewEvent } from '../src/event-store';
import { appendBatchCall, batchCall } from '../src/postgres/append-batch';
import { createPostgresEventStore } from '../src/postgres/postgres-event-store';

const calls = Number(process.argv[2] ?? 1000);
const url = process.argv[3] ?? process.env.VIGIL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_cpu_${process.pid}`;
const streams = 256;

const event = (i: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { patientId: `TR-${i % streams}`, test: 'PLAT', value: 150 + (i % 100), unit: '10^9/L', referenceRange: { low: 150, high: 400 } },
  metadata: { userId: 'u-1', role: 'investigator', siteId: 'site-1', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: `c-${i}` },
});

/** User + system CPU of a process, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function connected(): Promise<{ client: Client; pid: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return { client, pid: rows[0].pid };
}

async function measure(size: number, rounds: number): Promise<void> {
  const store = await connected();
  const raw = await connected();
  const insertRaw = {
    name: 'raw',
    text: `INSERT INTO ${schema}.raw_events (event_id, stream_id, data, metadata, hash, previous_hash)
             SELECT id, $2, data::json, metadata::json, $5, $5 FROM unnest($1::uuid[], $3::text[], $4::text[]) AS x(id, data, metadata)`,
  };
  const spent = { store: 0, raw: 0 };
  for (let round = 0; round < rounds; round++) {
    const batch = Array.from({ length: size }, (_, k) => {
      const i = round * size + k;
      return prepareAppend(`patient-${i % streams}`, [event(i)], { expectedVersion: 'any', commandId: randomUUID() });
    });
    const call = batchCall(batch, new Date().toISOString());
    let before = cpuMs(store.pid);
    await store.client.query({ name: 'append', text: appendBatchCall(schema), values: call.values });
    spent.store += cpuMs(store.pid) - before;
    // The same rows: each event's data and its metadata as stored (stamped with the command id and recordedAt).
    const data = batch.map((request) => request.events[0].dataJson);
    const metadata = call.events.map(([sent]) => JSON.stringify(sent.metadata));
    before = cpuMs(raw.pid);
    await raw.client.query({ ...insertRaw, values: [data.map(() => randomUUID()), batch[0].streamId, data, metadata, 'f'.repeat(64)] });
    spent.raw += cpuMs(raw.pid) - before;
  }
  await store.client.end();
  await raw.client.end();
  const perCall = (ms: number) => (ms / rounds).toFixed(3);
  console.log(
    `${String(size).padStart(2)} per call: append_batch ${perCall(spent.store)} ms of backend CPU, raw insert ${perCall(spent.raw)} ms (${rounds} calls each)`,
  );
}

async function main() {
  const store = await createPostgresEventStore({ url, schema });
  await Promise.all(Array.from({ length: streams }, (_, p) => store.append(`patient-${p}`, [event(p)], { expectedVersion: 'no_stream' })));
  await store.close();
  const setup = new Client({ connectionString: url });
  await setup.connect();
  try {
    await setup.query(`CREATE TABLE ${schema}.raw_events (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL,
      data json NOT NULL, metadata json NOT NULL, hash text NOT NULL, previous_hash text)`);
    await measure(1, calls);
    await measure(64, Math.max(1, Math.round(calls / 10)));
  } finally {
    await setup.query(`DROP SCHEMA ${schema} CASCADE`);
    await setup.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
