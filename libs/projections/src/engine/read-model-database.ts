import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type ReadModelStatement = Database.Statement<unknown[], unknown>;

export interface ReadModelDatabaseOptions {
  /** SQLite file of the read models (`<VIGIL_DATA_DIR>/projections.sqlite`), or `:memory:` in tests. */
  file: string;
}

export type BuildStatus = 'building' | 'live';

export interface TransactionOptions {
  /**
   * false: commit without waiting for the disk (synchronous=NORMAL for this transaction only). For the
   * batches of a projection (live or building): a power cut may lose its last batches, never
   * corrupt them (WAL), and the build resumes from the checkpoint that did reach the disk. Whatever
   * such a build wrote is made durable by the next durable commit, which syncs the WAL it was written
   * to: the switch to live is always durable (see `ProjectionBuildWriter.switchLive`). Default true.
   */
  durable?: boolean;
}

/** One build of a projection: its own tables, its own checkpoint. */
export interface ProjectionBuild {
  name: string;
  /** 1, 2, … per projection name. */
  build: number;
  /** The projection's code version the build was made with. */
  version: number;
  /** Global position of the last event the build's tables cover. */
  position: number;
  status: BuildStatus;
}

/** Emitted as `checkpoint` after each committed batch, for in-process waiters. */
export interface Checkpoint {
  name: string;
  build: number;
  position: number;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** `alert_list`, version 1, build 3 keeps its `alerts` table as `alert_list_v1_b3_alerts`. */
export function buildTable(projection: string, version: number, build: number, table: string): string {
  if (!NAME.test(projection)) throw new Error(`projection name "${projection}" must be lower_snake_case`);
  if (!NAME.test(table)) throw new Error(`table name "${table}" must be lower_snake_case`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`projection version must be a positive integer, got ${version}`);
  if (!Number.isInteger(build) || build < 1) throw new Error(`projection build must be a positive integer, got ${build}`);
  return `${projection}_v${version}_b${build}_${table}`;
}

interface BuildRow {
  name: string;
  build: number;
  version: number;
  position: number;
  status: BuildStatus;
}

/**
 * The read models' own SQLite database (WAL; synchronous=FULL except for batches, see TransactionOptions). Besides the projections' tables it
 * keeps `projection_builds`: per build of a projection, its code version, its checkpoint (written in
 * the same transaction as its tables, so a crash never skips nor repeats an event) and whether it is
 * the live build that answers queries. A new build (a new version, or a rebuild) fills its own tables
 * beside the live one and is switched live in one transaction (blue/green).
 */
export class ReadModelDatabase {
  readonly sql: Database.Database;
  readonly events = new EventEmitter();
  private readonly statements = new Map<string, ReadModelStatement>();

  constructor(readonly options: ReadModelDatabaseOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.sql = new Database(options.file);
    this.sql.pragma('busy_timeout = 5000');
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL');
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS projection_builds (
        name TEXT NOT NULL,
        build INTEGER NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('building', 'live')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (name, build)
      );
      CREATE UNIQUE INDEX IF NOT EXISTS projection_builds_one_live ON projection_builds (name) WHERE status = 'live';
    `);
    this.events.setMaxListeners(0);
  }

  /** A prepared statement, cached by its SQL text. */
  statement(sql: string): ReadModelStatement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sql.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` in one write transaction (BEGIN IMMEDIATE): all or nothing. */
  transaction<T>(fn: () => T, options: TransactionOptions = {}): T {
    if (options.durable !== false || this.sql.inTransaction) return this.sql.transaction(fn).immediate();
    this.sql.pragma('synchronous = NORMAL');
    try {
      return this.sql.transaction(fn).immediate();
    } finally {
      this.sql.pragma('synchronous = FULL');
    }
  }

  /**
   * Runs queries in one read transaction: they all see the same snapshot, so a query that looked up
   * the live build never meets its tables dropped by a switch committed meanwhile (by another process).
   */
  read<T>(fn: () => T): T {
    if (this.sql.inTransaction) return fn();
    return this.sql.transaction(fn).deferred();
  }

  builds(projection: string): ProjectionBuild[] {
    return this.statement('SELECT name, build, version, position, status FROM projection_builds WHERE name = ? ORDER BY build').all(projection) as BuildRow[];
  }

  build(projection: string, build: number): ProjectionBuild | undefined {
    return this.statement('SELECT name, build, version, position, status FROM projection_builds WHERE name = ? AND build = ?').get(projection, build) as
      BuildRow | undefined;
  }

  liveBuild(projection: string): ProjectionBuild | undefined {
    return this.statement(`SELECT name, build, version, position, status FROM projection_builds WHERE name = ? AND status = 'live'`).get(projection) as
      BuildRow | undefined;
  }

  /** The table that answers queries for a projection now, or undefined before its first build started. */
  liveTable(projection: string, table: string): string | undefined {
    const live = this.liveBuild(projection);
    return live && buildTable(projection, live.version, live.build, table);
  }

  /** Position of the live build of a projection (0 when it has none). */
  livePosition(projection: string): number {
    return this.liveBuild(projection)?.position ?? 0;
  }

  /** A new build, live at once when the projection has no live build yet. Call inside a transaction. */
  createBuild(projection: string, version: number): ProjectionBuild {
    const builds = this.builds(projection);
    const build = Math.max(0, ...builds.map((b) => b.build)) + 1;
    const status: BuildStatus = builds.some((b) => b.status === 'live') ? 'building' : 'live';
    const now = new Date().toISOString();
    this.statement('INSERT INTO projection_builds (name, build, version, position, status, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)').run(
      projection,
      build,
      version,
      status,
      now,
      now,
    );
    return { name: projection, build, version, position: 0, status };
  }

  /** Moves a build's checkpoint. Call inside the transaction that changed its tables. */
  advance(projection: string, build: number, position: number): void {
    this.statement('UPDATE projection_builds SET position = ?, updated_at = ? WHERE name = ? AND build = ?').run(
      position,
      new Date().toISOString(),
      projection,
      build,
    );
  }

  /** Makes a build the live one and drops the build it replaces, tables and all. Call inside a transaction. */
  switchLive(projection: string, build: number): ProjectionBuild | undefined {
    const previous = this.liveBuild(projection);
    if (previous?.build === build) return undefined;
    if (previous) this.dropBuild(previous);
    this.statement(`UPDATE projection_builds SET status = 'live', updated_at = ? WHERE name = ? AND build = ?`).run(
      new Date().toISOString(),
      projection,
      build,
    );
    return previous;
  }

  /** Removes a build and its tables. Call inside a transaction. */
  dropBuild(build: ProjectionBuild): void {
    const prefix = `${buildTable(build.name, build.version, build.build, 'x').slice(0, -1)}`;
    const tables = this.sql.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?`).all(prefix.length, prefix) as {
      name: string;
    }[];
    for (const [sql] of this.statements) if (sql.includes(prefix)) this.statements.delete(sql);
    for (const table of tables) this.sql.exec(`DROP TABLE "${table.name}"`);
    this.statement('DELETE FROM projection_builds WHERE name = ? AND build = ?').run(build.name, build.build);
  }

  close(): void {
    this.statements.clear();
    if (this.sql.open) this.sql.close();
  }
}
