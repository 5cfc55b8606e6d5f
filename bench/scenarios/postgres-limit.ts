import { Client } from 'pg';
import { randomUUID } from 'node:crypto';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { median, nowMs } from '../support/stats';
import { MACHINE_LIMIT, RawRow, storedEventRow } from './machine-limit';

/**
 * With `--store postgres`, the machine limit is what PostgreSQL itself allows through `pg`, measured in the same
 * run as the store: rows the size of a stored lab result event inserted into a table of the event's shape (a
 * bigint primary key, ids, JSON data and metadata, hashes), one INSERT statement per transaction, so one round
 * trip and one durable commit each. One row per transaction bounds an append at a time; 100 rows per transaction
 * bounds appends that share a commit. Whatever the server's settings, the store is held to the same ones.
 */
export const postgresLimit: Scenario = {
  name: MACHINE_LIMIT,
  title: 'Machine limit: raw PostgreSQL via pg',
  figures: () => [
    { key: 'oneRowPerTx', label: 'inserts, 1 row/tx', unit: 'rows/s' },
    { key: 'hundredRowsPerTx', label: 'inserts, 100 rows/tx', unit: 'rows/s' },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const { rounds, limitRows } = bench.options;
    const settings = await serverSettings(bench.options.postgresUrl);
    bench.log(`PostgreSQL ${settings.server_version}, synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}`);
    const single: number[] = [];
    const hundred: number[] = [];
    for (let round = 0; round < rounds; round++) {
      single.push(await bench.store.raw(limitRows, 1));
      hundred.push(await bench.store.raw(limitRows * 10, 100));
    }
    const row = storedEventRow();
    const bytes = row.streamId.length + row.data.length + row.metadata.length + row.hash.length * 2 + 36;
    const durable = settings.synchronous_commit !== 'off' && settings.fsync === 'on';
    const details = {
      rowBytes: bytes,
      rounds,
      server: settings,
      ...(durable ? {} : { note: `commits are not durable on this server (fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit})` }),
    };
    bench.log(`raw 1 row/tx: ${single.map(Math.round).join(', ')} rows/s; 100 rows/tx: ${hundred.map(Math.round).join(', ')} rows/s`);
    return {
      oneRowPerTx: { value: median(single), details: { ...details, rowsPerRound: limitRows, samples: single.map(Math.round) } },
      hundredRowsPerTx: { value: median(hundred), details: { ...details, rowsPerRound: limitRows * 10, samples: hundred.map(Math.round) } },
    };
  },
};

async function serverSettings(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await client.end();
  }
}

/**
 * Inserts `rows` rows, `perTransaction` to a commit, into a fresh table in `schema` (created, then dropped):
 * rows per second. Each commit is one prepared INSERT … SELECT FROM unnest, sent and committed in one round trip;
 * the rows' data and metadata are arrays of JSON texts, one per row.
 */
export async function rawPostgresInserts(url: string, schema: string, row: RawRow, rows: number, perTransaction: number): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`DROP TABLE IF EXISTS ${schema}.raw_events`);
    await client.query(`CREATE TABLE ${schema}.raw_events (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, stream_id text NOT NULL,
      data json NOT NULL, metadata json NOT NULL, hash text NOT NULL, previous_hash text)`);
    const insert = {
      name: `raw-insert-${schema}`,
      text: `INSERT INTO ${schema}.raw_events (event_id, stream_id, data, metadata, hash, previous_hash)
               SELECT id, $2, data::json, metadata::json, $5, $5 FROM unnest($1::uuid[], $3::text[], $4::text[]) AS x(id, data, metadata)`,
    };
    const ids = Array.from({ length: rows }, () => randomUUID());
    // Every row carries its own data and metadata, sent and parsed as JSON, as every stored event does.
    const data = Array.from({ length: perTransaction }, () => row.data);
    const metadata = Array.from({ length: perTransaction }, () => row.metadata);
    const started = nowMs();
    for (let next = 0; next < rows; next += perTransaction) {
      const count = Math.min(perTransaction, rows - next);
      const values = [ids.slice(next, next + count), row.streamId, data.slice(0, count), metadata.slice(0, count), row.hash];
      await client.query({ ...insert, values });
    }
    const rate = rows / ((nowMs() - started) / 1000);
    await client.query(`DROP TABLE ${schema}.raw_events`);
    return rate;
  } finally {
    await client.end();
  }
}
