import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { median, nowMs } from '../support/stats';
import { labResultRecorded } from '../support/trial-events';

export const MACHINE_LIMIT = 'machine-limit';

/**
 * What this machine's disk and SQLite allow, measured in the same run as the store: a bare
 * better-sqlite3 loop inserting rows the size of a stored lab result event, with the store's
 * durability (WAL, synchronous=FULL: every commit fsynced). One row per transaction bounds an
 * append at a time; 100 rows per transaction bounds appends that share a commit.
 */
export const machineLimit: Scenario = {
  name: MACHINE_LIMIT,
  title: 'Machine limit: raw SQLite, WAL + FULL',
  figures: () => [
    { key: 'oneRowPerTx', label: 'inserts, 1 row/tx', unit: 'rows/s' },
    { key: 'hundredRowsPerTx', label: 'inserts, 100 rows/tx', unit: 'rows/s' },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const { rounds, limitRows } = bench.options;
    const row = storedEventRow();
    const single: number[] = [];
    const hundred: number[] = [];
    for (let round = 0; round < rounds; round++) {
      single.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, limitRows, 1));
      hundred.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, limitRows * 10, 100));
    }
    const bytes = row.streamId.length + row.data.length + row.metadata.length + row.hash.length * 2 + 36;
    const details = { rowBytes: bytes, rounds };
    bench.log(`raw 1 row/tx: ${single.map(Math.round).join(', ')} rows/s; 100 rows/tx: ${hundred.map(Math.round).join(', ')} rows/s`);
    return {
      oneRowPerTx: { value: median(single), details: { ...details, rowsPerRound: limitRows, samples: single.map(Math.round) } },
      hundredRowsPerTx: { value: median(hundred), details: { ...details, rowsPerRound: limitRows * 10, samples: hundred.map(Math.round) } },
    };
  },
};

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
