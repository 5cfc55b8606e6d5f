import type Database from 'better-sqlite3';
import { hashEvent } from '../hash-chain';

/** A row of the embedded store's events table as SQLite hands it over (the columns a hash is made of). */
export interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
}

/**
 * What a database administrator can do to an embedded store (tests of tampering): rewrite the hash and previous hash
 * of every event of a stream, so that its chain holds again after its rows were changed (the hash scheme is public).
 */
export function rechain(db: Database.Database, streamId: string): void {
  const rows = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY stream_version').all(streamId) as EventRow[];
  const update = db.prepare('UPDATE events SET hash = ?, previous_hash = ? WHERE global_position = ?');
  let previousHash: string | null = null;
  for (const row of rows) {
    const hash = hashEvent(
      {
        eventId: row.event_id,
        streamId: row.stream_id,
        streamVersion: row.stream_version,
        type: row.type,
        schemaVersion: row.schema_version,
        data: JSON.parse(row.data),
        metadata: JSON.parse(row.metadata),
      },
      previousHash,
    );
    update.run(hash, previousHash, row.global_position);
    previousHash = hash;
  }
}
