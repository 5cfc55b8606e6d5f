import type { Pool } from 'pg';
import { CHECKPOINT_PAGE_MAX, CheckpointLog, SignedCheckpoint } from '../checkpoints/checkpoint-log';
import type { FrontierState } from '../merkle/merkle-frontier';

interface CheckpointRow {
  tree_size: string;
  root_hash: string;
  signed_at: string;
  key_id: string;
  signature: string;
}

const toCheckpoint = (row: CheckpointRow): SignedCheckpoint => ({
  treeSize: Number(row.tree_size),
  rootHash: row.root_hash,
  signedAt: row.signed_at,
  keyId: row.key_id,
  signature: row.signature,
});

/**
 * The checkpoint tables of a PostgreSQL event store schema (schema.ts, migration 2). Several Vigil nodes
 * may run a checkpointer on one database: a transaction-level advisory lock serialises their writes, and
 * a checkpoint not larger than the latest is refused, so checkpoints only grow.
 */
export class PostgresCheckpointLog implements CheckpointLog {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
    private readonly assertOpen: () => void,
  ) {}

  async eventHashes(start: number, end: number): Promise<string[]> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ hash: string }>(
      `SELECT hash FROM ${this.schema}.events WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position`,
      [start, end],
    );
    return rows.map((row) => row.hash);
  }

  async tileRoots(first: number, last: number): Promise<Map<number, string>> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ tile: string; root: string }>(
      `SELECT tile, root FROM ${this.schema}.merkle_tiles WHERE tile >= $1 AND tile < $2`,
      [first, last],
    );
    return new Map(rows.map((row) => [Number(row.tile), row.root]));
  }

  async frontier(): Promise<FrontierState | null> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ tree_size: string; roots: string }>(`SELECT tree_size, roots FROM ${this.schema}.merkle_frontier WHERE id = 1`);
    return rows.length === 0 ? null : { treeSize: Number(rows[0].tree_size), roots: JSON.parse(rows[0].roots) as string[] };
  }

  async record(checkpoint: SignedCheckpoint, frontier: FrontierState, tiles: ReadonlyMap<number, string>): Promise<boolean> {
    this.assertOpen();
    const client = await this.pool.connect();
    let broken = false;
    // A connection cut while checked out is reported on the client (the pool listens only to idle ones).
    const lost = (): void => void (broken = true);
    client.on('error', lost);
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`vigil.checkpoint:${this.schema}`]);
      const inserted = await client.query(
        `INSERT INTO ${this.schema}.checkpoints (tree_size, root_hash, signed_at, key_id, signature)
           SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM ${this.schema}.checkpoints WHERE tree_size >= $1)`,
        [checkpoint.treeSize, checkpoint.rootHash, checkpoint.signedAt, checkpoint.keyId, checkpoint.signature],
      );
      if (inserted.rowCount === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query(
        `INSERT INTO ${this.schema}.merkle_frontier (id, tree_size, roots) VALUES (1, $1, $2)
           ON CONFLICT (id) DO UPDATE SET tree_size = excluded.tree_size, roots = excluded.roots`,
        [frontier.treeSize, JSON.stringify(frontier.roots)],
      );
      if (tiles.size > 0) {
        await client.query(
          `INSERT INTO ${this.schema}.merkle_tiles (tile, root) SELECT * FROM unnest($1::bigint[], $2::text[])
             ON CONFLICT (tile) DO UPDATE SET root = excluded.root`,
          [[...tiles.keys()], [...tiles.values()]],
        );
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', lost);
      client.release(broken);
    }
  }

  async list(after = 0, limit = CHECKPOINT_PAGE_MAX): Promise<SignedCheckpoint[]> {
    this.assertOpen();
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT tree_size, root_hash, signed_at, key_id, signature FROM ${this.schema}.checkpoints WHERE tree_size > $1 ORDER BY tree_size LIMIT $2`,
      [after, Math.min(limit, CHECKPOINT_PAGE_MAX)],
    );
    return rows.map(toCheckpoint);
  }

  async latest(): Promise<SignedCheckpoint | null> {
    this.assertOpen();
    const { rows } = await this.pool.query<CheckpointRow>(
      `SELECT tree_size, root_hash, signed_at, key_id, signature FROM ${this.schema}.checkpoints ORDER BY tree_size DESC LIMIT 1`,
    );
    return rows.length === 0 ? null : toCheckpoint(rows[0]);
  }

  async publishedUpTo(channel: string): Promise<number> {
    this.assertOpen();
    const { rows } = await this.pool.query<{ tree_size: string }>(`SELECT tree_size FROM ${this.schema}.checkpoint_publications WHERE channel = $1`, [channel]);
    return rows.length === 0 ? 0 : Number(rows[0].tree_size);
  }

  async markPublished(channel: string, treeSize: number): Promise<void> {
    this.assertOpen();
    await this.pool.query(
      `INSERT INTO ${this.schema}.checkpoint_publications (channel, tree_size) VALUES ($1, $2)
         ON CONFLICT (channel) DO UPDATE SET tree_size = GREATEST(${this.schema}.checkpoint_publications.tree_size, excluded.tree_size)`,
      [channel, treeSize],
    );
  }
}
