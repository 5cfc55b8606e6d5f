/**
 * What a database administrator could do to the embedded store behind Vigil's back: open the SQLite
 * file, drop the triggers that keep events and checkpoints append-only, change rows, and recompute the
 * hash chains so that they hold again (the hash scheme is public).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { hashEvent, StoredEvent } from '@vigil/event-store';

export type Tampering = (db: Database.Database) => void;

export function tamperWith(dataDir: string, change: Tampering): void {
  const db = new Database(join(dataDir, 'events.sqlite'));
  try {
    db.exec(`DROP TRIGGER IF EXISTS events_are_never_updated; DROP TRIGGER IF EXISTS events_are_never_deleted;
             DROP TRIGGER IF EXISTS checkpoints_are_never_updated; DROP TRIGGER IF EXISTS checkpoints_are_never_deleted;`);
    db.transaction(() => change(db))();
  } finally {
    db.close();
  }
}

interface EventRow {
  global_position: number;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: string;
  metadata: string;
  hash: string;
  previous_hash: string | null;
}

/** Rewrites the hash and previous hash of every event of a stream, so that its chain holds again. */
export function rechain(db: Database.Database, streamId: string): void {
  const rows = db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY stream_version').all(streamId) as EventRow[];
  let previousHash: string | null = null;
  for (const row of rows) {
    const event: Pick<StoredEvent, 'eventId' | 'streamId' | 'streamVersion' | 'type' | 'schemaVersion' | 'data' | 'metadata'> = {
      eventId: row.event_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      type: row.type,
      schemaVersion: row.schema_version,
      data: JSON.parse(row.data),
      metadata: JSON.parse(row.metadata),
    };
    const hash = hashEvent(event, previousHash);
    db.prepare('UPDATE events SET hash = ?, previous_hash = ? WHERE global_position = ?').run(hash, previousHash, row.global_position);
    previousHash = hash;
  }
}

/** The global position of a stream's event. */
export function positionOf(db: Database.Database, streamId: string, version: number): number {
  return db.prepare('SELECT global_position FROM events WHERE stream_id = ? AND stream_version = ?').pluck().get(streamId, version) as number;
}
