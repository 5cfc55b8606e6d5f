import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { nowMs } from './stats';
import { labResultRecorded } from './trial-events';

/** The raw loops the stores are held against (the machine-limit rows): bare drivers, rows the size of a stored event. */

export interface RawRow {
  streamId: string;
  data: string;
  metadata: string;
  hash: string;
}

/** A row carrying what the store keeps of a lab result: its JSON data and metadata, ids and hashes. */
export function storedEventRow(): RawRow {
  const event = labResultRecorded(1, 1);
  const metadata = { ...event.metadata, recordedAt: new Date().toISOString(), commandId: randomUUID() };
  return { streamId: 'patient-TR-BEN-00001', data: JSON.stringify(event.data), metadata: JSON.stringify(metadata), hash: 'f'.repeat(64) };
}

/** Inserts `rows` rows, `perTransaction` to a commit, into a fresh database; returns rows per second. */
export function rawInserts(file: string, row: RawRow, rows: number, perTransaction: number): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY, event_id TEXT NOT NULL, stream_id TEXT NOT NULL,
      data TEXT NOT NULL, metadata TEXT NOT NULL, hash TEXT NOT NULL, previous_hash TEXT) STRICT`);
    const insert = db.prepare('INSERT INTO events (event_id, stream_id, data, metadata, hash, previous_hash) VALUES (?, ?, ?, ?, ?, ?)');
    const ids = Array.from({ length: rows }, () => randomUUID());
    let next = 0;
    const commit = db.transaction((count: number) => {
      for (let i = 0; i < count; i++) insert.run(ids[next++], row.streamId, row.data, row.metadata, row.hash, row.hash);
    });
    const started = nowMs();
    while (next < rows) commit(Math.min(perTransaction, rows - next));
    return rows / ((nowMs() - started) / 1000);
  } finally {
    db.close();
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
