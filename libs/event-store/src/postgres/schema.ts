import type { Pool } from 'pg';
import { appendInOneStatement } from './append-function';
import { appendWithLonePath } from './lone-append-function';

/**
 * A schema name Vigil accepts: lower-case letters, digits and _, at most 48 characters (so `<schema>_read` and the
 * like stay under PostgreSQL's 63), and nothing that would need quoting where it is written into SQL.
 */
export function isSchemaName(schema: string): boolean {
  return /^[a-z_][a-z0-9_]{0,47}$/.test(schema);
}

/** Event tables live in one PostgreSQL schema; tests give each run its own. */
export function assertSchemaName(schema: string): void {
  if (!isSchemaName(schema)) {
    throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} must be lower-case letters, digits and _ (≤ 48)`);
  }
}

/**
 * Migrations, applied in order; `<schema>.schema_migrations` records those that ran.
 * Never edit a migration that has shipped: add the next one.
 */
function migrations(s: string): string[] {
  return [
    `
    CREATE TABLE ${s}.events (
      global_position bigint PRIMARY KEY CHECK (global_position >= 1),
      event_id        uuid NOT NULL UNIQUE,
      stream_id       text NOT NULL,
      stream_version  integer NOT NULL CHECK (stream_version >= 1),
      type            text NOT NULL,
      schema_version  integer NOT NULL,
      -- json, not jsonb: the exact text the hash was computed over is what is kept.
      data            json NOT NULL,
      metadata        json NOT NULL,
      hash            text NOT NULL,
      previous_hash   text,
      recorded_at     timestamptz NOT NULL,
      command_id      text NOT NULL,
      UNIQUE (stream_id, stream_version)
    );
    CREATE INDEX events_by_command ON ${s}.events (command_id);

    -- Every command the store accepted, with or without events: idempotency remembers them all.
    CREATE TABLE ${s}.commands (
      command_id    text PRIMARY KEY,
      stream_id     text NOT NULL,
      version_after integer NOT NULL,
      recorded_at   timestamptz NOT NULL
    );

    -- The log is append-only: a stored event is never changed or removed through this database.
    CREATE FUNCTION ${s}.events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
    CREATE TRIGGER events_are_never_changed BEFORE UPDATE OR DELETE ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.events_are_append_only();
    CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON ${s}.events
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.events_are_append_only();
    `,
    appendInOneStatement(s),
    // Signed checkpoints over the global log (checkpoints/checkpoint-log.ts), append-only like the events.
    // The frontier and the tiles are derived from the log: rebuilt from it when missing, never trusted over it.
    `
    CREATE TABLE ${s}.checkpoints (
      tree_size bigint PRIMARY KEY CHECK (tree_size >= 1),
      root_hash text NOT NULL,
      signed_at text NOT NULL,
      key_id    text NOT NULL,
      signature text NOT NULL
    );
    CREATE FUNCTION ${s}.checkpoints_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'checkpoints are append-only'; END $$;
    CREATE TRIGGER checkpoints_are_never_changed BEFORE UPDATE OR DELETE ON ${s}.checkpoints
      FOR EACH ROW EXECUTE FUNCTION ${s}.checkpoints_are_append_only();
    CREATE TRIGGER checkpoints_are_never_truncated BEFORE TRUNCATE ON ${s}.checkpoints
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.checkpoints_are_append_only();

    CREATE TABLE ${s}.merkle_frontier (
      id        integer PRIMARY KEY CHECK (id = 1),
      tree_size bigint NOT NULL,
      roots     text NOT NULL
    );
    CREATE TABLE ${s}.merkle_tiles (
      tile bigint PRIMARY KEY,
      root text NOT NULL
    );
    CREATE TABLE ${s}.checkpoint_publications (
      channel   text PRIMARY KEY,
      tree_size bigint NOT NULL
    );
    `,
    // Snapshots of stream folds (snapshots/snapshot-log.ts): derived from the log, the latest per stream and
    // kind, each holding only while the stream's event at its version has its hash. Never trusted over the log.
    `
    CREATE TABLE ${s}.stream_snapshots (
      stream_id      text NOT NULL,
      kind           text NOT NULL,
      stream_version bigint NOT NULL CHECK (stream_version >= 1),
      hash           text NOT NULL,
      state          text NOT NULL,
      taken_at       text NOT NULL,
      PRIMARY KEY (stream_id, kind)
    );
    `,
    appendWithLonePath(s),
  ];
}

/** How many migrations this Vigil knows: the schema version it brings a database to. */
export const schemaVersion = migrations('vigil').length;

/**
 * Creates the schema and brings it up to date (or to `target`, for upgrade tests); safe when several processes
 * start at once.
 */
export async function migrate(pool: Pool, schema: string, target = schemaVersion): Promise<void> {
  const client = await pool.connect();
  // A connection cut while checked out is reported on the client (the pool listens only to idle ones).
  const lost = (): void => undefined;
  client.on('error', lost);
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`vigil.migrate:${schema}`]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number }>(`SELECT COALESCE(MAX(version), 0) AS version FROM ${schema}.schema_migrations`);
      const all = migrations(schema);
      const current = rows[0].version;
      if (current > all.length) {
        throw new Error(`event store schema ${schema} is at version ${current}, newer than this Vigil knows (${all.length}): upgrade Vigil`);
      }
      for (let next = current; next < target; next++) {
        await client.query('BEGIN');
        try {
          await client.query(all[next]);
          await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [next + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`vigil.migrate:${schema}`]);
    }
  } finally {
    client.removeListener('error', lost);
    client.release();
  }
}
