import type { Pool } from 'pg';
import type { SnapshotLog, StreamSnapshot } from '../snapshots/snapshot-log';

interface SnapshotRow {
  stream_id: string;
  kind: string;
  stream_version: string;
  hash: string;
  state: string;
  taken_at: string;
}

/** The snapshot table of a PostgreSQL event store schema (schema.ts, migration 4). */
export class PostgresSnapshotLog implements SnapshotLog {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly assertOpen: () => void,
  ) {}

  async latest(streamId: string, kind: string): Promise<StreamSnapshot | null> {
    this.assertOpen();
    const { rows } = await this.pool.query<SnapshotRow>(
      `SELECT stream_id, kind, stream_version, hash, state, taken_at FROM ${this.schema}.stream_snapshots WHERE stream_id = $1 AND kind = $2`,
      [streamId, kind],
    );
    const row = rows[0];
    if (!row) return null;
    return { streamId: row.stream_id, kind: row.kind, streamVersion: Number(row.stream_version), hash: row.hash, state: row.state, takenAt: row.taken_at };
  }

  async save(snapshot: StreamSnapshot): Promise<void> {
    this.assertOpen();
    await this.pool.query(
      `INSERT INTO ${this.schema}.stream_snapshots AS old (stream_id, kind, stream_version, hash, state, taken_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (stream_id, kind) DO UPDATE SET
           stream_version = excluded.stream_version, hash = excluded.hash, state = excluded.state, taken_at = excluded.taken_at
         WHERE excluded.stream_version > old.stream_version
            OR (excluded.stream_version = old.stream_version AND excluded.hash <> old.hash)`,
      [snapshot.streamId, snapshot.kind, snapshot.streamVersion, snapshot.hash, snapshot.state, snapshot.takenAt],
    );
  }

  async clear(kind: string): Promise<number> {
    this.assertOpen();
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.schema}.stream_snapshots WHERE kind = $1`, [kind]);
    return rowCount ?? 0;
  }
}
