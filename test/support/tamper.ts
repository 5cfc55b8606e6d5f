/**
 * What a database administrator could do to the embedded store behind Vigil's back: open the SQLite
 * file, drop the triggers that keep events and checkpoints append-only, change rows, and recompute the
 * hash chains so that they hold again (the hash scheme is public).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

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

export { rechain } from '@vigil/event-store/testing';

/** The global position of a stream's event. */
export function positionOf(db: Database.Database, streamId: string, version: number): number {
  return db.prepare('SELECT global_position FROM events WHERE stream_id = ? AND stream_version = ?').pluck().get(streamId, version) as number;
}
