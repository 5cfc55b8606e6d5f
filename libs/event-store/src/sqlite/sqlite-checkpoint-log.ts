import type Database from 'better-sqlite3';
import { CHECKPOINT_PAGE_MAX, CheckpointLog, SignedCheckpoint } from '../checkpoints/checkpoint-log';
import type { FrontierState } from '../merkle/merkle-frontier';

interface CheckpointRow {
  treeSize: number;
  rootHash: string;
  signedAt: string;
  keyId: string;
  signature: string;
}

const checkpointColumns = 'tree_size AS treeSize, root_hash AS rootHash, signed_at AS signedAt, key_id AS keyId, signature';

/** The checkpoint tables of the SQLite event store, on its own connection (schema.ts, migration 3). */
export class SqliteCheckpointLog implements CheckpointLog {
  private readonly sql;
  private readonly recordAll: (checkpoint: SignedCheckpoint, frontier: FrontierState, tiles: ReadonlyMap<number, string>) => boolean;

  constructor(
    db: Database.Database,
    private readonly assertOpen: () => void,
    /** Runs a write in the store's next group commit (its transaction and fsync shared with appends). */
    private readonly inGroupCommit: <T>(write: () => T) => Promise<T>,
  ) {
    this.sql = {
      hashes: db
        .prepare<[number, number], string>('SELECT hash FROM events WHERE global_position > ? AND global_position <= ? ORDER BY global_position')
        .pluck(),
      tiles: db.prepare<[number, number], { tile: number; root: string }>('SELECT tile, root FROM merkle_tiles WHERE tile >= ? AND tile < ?'),
      frontier: db.prepare<[], { treeSize: number; roots: string }>('SELECT tree_size AS treeSize, roots FROM merkle_frontier WHERE id = 1'),
      insert: db.prepare(
        `INSERT INTO checkpoints (tree_size, root_hash, signed_at, key_id, signature)
           SELECT @treeSize, @rootHash, @signedAt, @keyId, @signature WHERE NOT EXISTS (SELECT 1 FROM checkpoints WHERE tree_size >= @treeSize)`,
      ),
      saveFrontier: db.prepare('INSERT OR REPLACE INTO merkle_frontier (id, tree_size, roots) VALUES (1, ?, ?)'),
      saveTile: db.prepare('INSERT OR REPLACE INTO merkle_tiles (tile, root) VALUES (?, ?)'),
      list: db.prepare<[number, number], CheckpointRow>(`SELECT ${checkpointColumns} FROM checkpoints WHERE tree_size > ? ORDER BY tree_size LIMIT ?`),
      latest: db.prepare<[], CheckpointRow>(`SELECT ${checkpointColumns} FROM checkpoints ORDER BY tree_size DESC LIMIT 1`),
      published: db.prepare<[string], number>('SELECT tree_size FROM checkpoint_publications WHERE channel = ?').pluck(),
      markPublished: db.prepare(
        `INSERT INTO checkpoint_publications (channel, tree_size) VALUES (?, ?)
           ON CONFLICT (channel) DO UPDATE SET tree_size = max(tree_size, excluded.tree_size)`,
      ),
    };
    this.recordAll = db.transaction((checkpoint: SignedCheckpoint, frontier: FrontierState, tiles: ReadonlyMap<number, string>) => {
      if (this.sql.insert.run(checkpoint).changes === 0) return false;
      this.sql.saveFrontier.run(frontier.treeSize, JSON.stringify(frontier.roots));
      for (const [tile, root] of tiles) this.sql.saveTile.run(tile, root);
      return true;
    });
  }

  async eventHashes(start: number, end: number): Promise<string[]> {
    this.assertOpen();
    return this.sql.hashes.all(start, end);
  }

  async tileRoots(first: number, last: number): Promise<Map<number, string>> {
    this.assertOpen();
    return new Map(this.sql.tiles.all(first, last).map((row) => [row.tile, row.root]));
  }

  async frontier(): Promise<FrontierState | null> {
    this.assertOpen();
    const row = this.sql.frontier.get();
    return row ? { treeSize: row.treeSize, roots: JSON.parse(row.roots) as string[] } : null;
  }

  async record(checkpoint: SignedCheckpoint, frontier: FrontierState, tiles: ReadonlyMap<number, string>): Promise<boolean> {
    return this.inGroupCommit(() => this.recordAll(checkpoint, frontier, tiles));
  }

  async list(after = 0, limit = CHECKPOINT_PAGE_MAX): Promise<SignedCheckpoint[]> {
    this.assertOpen();
    return this.sql.list.all(after, Math.min(limit, CHECKPOINT_PAGE_MAX)).map((row) => ({ ...row }));
  }

  async latest(): Promise<SignedCheckpoint | null> {
    this.assertOpen();
    const row = this.sql.latest.get();
    return row ? { ...row } : null;
  }

  async publishedUpTo(channel: string): Promise<number> {
    this.assertOpen();
    return (this.sql.published.get(channel) as number | undefined) ?? 0;
  }

  async markPublished(channel: string, treeSize: number): Promise<void> {
    await this.inGroupCommit(() => this.sql.markPublished.run(channel, treeSize));
  }
}
