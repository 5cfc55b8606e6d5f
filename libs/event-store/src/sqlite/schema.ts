import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Never edit a migration that has shipped: add the next one.
 */
const migrations: string[] = [
  `
  CREATE TABLE events (
    global_position INTEGER PRIMARY KEY,
    event_id        TEXT NOT NULL UNIQUE,
    stream_id       TEXT NOT NULL,
    stream_version  INTEGER NOT NULL CHECK (stream_version >= 1),
    type            TEXT NOT NULL,
    schema_version  INTEGER NOT NULL,
    data            TEXT NOT NULL,
    metadata        TEXT NOT NULL,
    hash            TEXT NOT NULL,
    previous_hash   TEXT,
    recorded_at     TEXT NOT NULL,
    command_id      TEXT NOT NULL,
    UNIQUE (stream_id, stream_version)
  ) STRICT;
  CREATE INDEX events_by_command ON events (command_id);

  -- Every command the store accepted, with or without events: idempotency remembers them all.
  CREATE TABLE commands (
    command_id    TEXT PRIMARY KEY,
    stream_id     TEXT NOT NULL,
    version_after INTEGER NOT NULL,
    recorded_at   TEXT NOT NULL
  ) STRICT, WITHOUT ROWID;

  -- The log is append-only: a stored event is never changed or removed through this database.
  CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  `,
  // A command's events are found from its row (its stream's versions up to version_after) instead of an
  // index on events.command_id: one B-tree fewer to write on every append, for a look-up only repeats need.
  `
  ALTER TABLE commands ADD COLUMN event_count INTEGER NOT NULL DEFAULT 0 CHECK (event_count >= 0);
  UPDATE commands SET event_count = (SELECT count(*) FROM events WHERE events.command_id = commands.command_id);
  DROP INDEX events_by_command;
  `,
  // Signed checkpoints over the global log (checkpoints/checkpoint-log.ts), append-only like the events.
  // The frontier and the tiles are derived from the log: rebuilt from it when missing, never trusted over it.
  `
  CREATE TABLE checkpoints (
    tree_size INTEGER PRIMARY KEY CHECK (tree_size >= 1),
    root_hash TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL
  ) STRICT;
  CREATE TRIGGER checkpoints_are_never_updated BEFORE UPDATE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
  CREATE TRIGGER checkpoints_are_never_deleted BEFORE DELETE ON checkpoints
    BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

  CREATE TABLE merkle_frontier (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    tree_size INTEGER NOT NULL,
    roots     TEXT NOT NULL
  ) STRICT;
  CREATE TABLE merkle_tiles (
    tile INTEGER PRIMARY KEY,
    root TEXT NOT NULL
  ) STRICT;
  CREATE TABLE checkpoint_publications (
    channel   TEXT PRIMARY KEY,
    tree_size INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  `,
  // Snapshots of stream folds (snapshots/snapshot-log.ts): derived from the log, the latest per stream and
  // kind, each holding only while the stream's event at its version has its hash. Never trusted over the log.
  `
  CREATE TABLE stream_snapshots (
    stream_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    stream_version INTEGER NOT NULL CHECK (stream_version >= 1),
    hash           TEXT NOT NULL,
    state          TEXT NOT NULL,
    taken_at       TEXT NOT NULL,
    PRIMARY KEY (stream_id, kind)
  ) STRICT, WITHOUT ROWID;
  `,
];

export const schemaVersion = migrations.length;

/**
 * Brings the database to the current schema (or to `target`, for upgrade tests); safe when several
 * processes open the file at once.
 */
export function migrate(db: Database.Database, target = schemaVersion): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === target) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    const version = current();
    if (version > schemaVersion) {
      throw new Error(`event store ${db.name} has schema version ${version}, newer than this Vigil knows (${schemaVersion}): upgrade Vigil`);
    }
    for (let next = version; next < target; next++) db.exec(migrations[next]);
    db.pragma(`user_version = ${Math.max(version, target)}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
