import type Database from 'better-sqlite3';
import type { SnapshotLog, StreamSnapshot } from '../snapshots/snapshot-log';

/** The snapshot table of the SQLite event store (schema.ts, migration 4), on the store's connection. */
export class SqliteSnapshotLog implements SnapshotLog {
  private readonly sql;

  constructor(
    db: Database.Database,
    private readonly assertOpen: () => void,
    /** Runs a write in the store's next group commit (its transaction and fsync shared with appends). */
    private readonly inGroupCommit: <T>(write: () => T) => Promise<T>,
  ) {
    this.sql = {
      latest: db.prepare<[string, string], StreamSnapshot>(
        `SELECT stream_id AS streamId, kind, stream_version AS streamVersion, hash, state, taken_at AS takenAt
           FROM stream_snapshots WHERE stream_id = ? AND kind = ?`,
      ),
      save: db.prepare(
        `INSERT INTO stream_snapshots (stream_id, kind, stream_version, hash, state, taken_at)
           VALUES (@streamId, @kind, @streamVersion, @hash, @state, @takenAt)
           ON CONFLICT (stream_id, kind) DO UPDATE SET
             stream_version = excluded.stream_version, hash = excluded.hash, state = excluded.state, taken_at = excluded.taken_at
           WHERE excluded.stream_version > stream_snapshots.stream_version
              OR (excluded.stream_version = stream_snapshots.stream_version AND excluded.hash <> stream_snapshots.hash)`,
      ),
      clear: db.prepare<[string]>('DELETE FROM stream_snapshots WHERE kind = ?'),
    };
  }

  async latest(streamId: string, kind: string): Promise<StreamSnapshot | null> {
    this.assertOpen();
    return this.sql.latest.get(streamId, kind) ?? null;
  }

  async save(snapshot: StreamSnapshot): Promise<void> {
    const { streamId, kind, streamVersion, hash, state, takenAt } = snapshot;
    await this.inGroupCommit(() => this.sql.save.run({ streamId, kind, streamVersion, hash, state, takenAt }));
  }

  async clear(kind: string): Promise<number> {
    return this.inGroupCommit(() => this.sql.clear.run(kind).changes);
  }
}
