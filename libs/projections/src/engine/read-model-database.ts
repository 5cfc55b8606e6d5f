import type { EventEmitter } from 'node:events';
import type { ReadModelSql, ReadModelStore, TransactionOptions } from '../store/read-model-store';
import { SqliteReadModelStore } from '../store/sqlite-read-model-store';

export type BuildStatus = 'building' | 'live';

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

const COLUMNS = 'name, build, version, position, status';

/**
 * The projection engine's view of the read-model store: besides the projections' tables it keeps
 * `projection_builds`: per build of a projection, its code version, its checkpoint (written in the same
 * transaction as its tables, so a crash never skips nor repeats an event) and whether it is the live
 * build that answers queries. A new build (a new version, or a rebuild) fills its own tables beside the
 * live one and is switched live in one transaction (blue/green), on SQLite and PostgreSQL alike.
 *
 * Registry methods take the `sql` of a transaction or read they belong to; without it they run alone.
 */
export class ReadModelDatabase {
  readonly store: ReadModelStore;
  /** The registry's table, created on first use. */
  private readonly installed: Promise<void>;

  /** On a store, or (the embedded default, tests) on a SQLite file or `:memory:`. */
  constructor(source: ReadModelStore | { file: string }) {
    this.store = 'file' in source ? new SqliteReadModelStore({ file: source.file }) : source;
    this.installed = this.install();
    this.installed.catch(() => undefined); // reported to whoever uses the database first
  }

  /** Opens the engine's registry on a store, creating it if missing. */
  static async open(store: ReadModelStore): Promise<ReadModelDatabase> {
    const db = new ReadModelDatabase(store);
    await db.installed;
    return db;
  }

  /** The embedded default: a SQLite file (or `:memory:` in tests). */
  static sqlite(file: string): Promise<ReadModelDatabase> {
    return ReadModelDatabase.open(new SqliteReadModelStore({ file }));
  }

  private install(): Promise<void> {
    return this.store.install(`
        CREATE TABLE IF NOT EXISTS projection_builds (
          name TEXT NOT NULL,
          build INTEGER NOT NULL,
          version INTEGER NOT NULL,
          position BIGINT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('building', 'live')),
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (name, build)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS projection_builds_one_live ON projection_builds (name) WHERE status = 'live';
        CREATE TABLE IF NOT EXISTS projection_rebuild_requests (name TEXT PRIMARY KEY, job_id TEXT NOT NULL, requested_at TEXT NOT NULL);
      `);
  }

  get events(): EventEmitter {
    return this.store.events;
  }

  async transaction<T>(fn: (sql: ReadModelSql) => Promise<T>, options?: TransactionOptions): Promise<T> {
    await this.installed;
    return this.store.transaction(fn, options);
  }

  async read<T>(fn: (sql: ReadModelSql) => Promise<T>): Promise<T> {
    await this.installed;
    return this.store.read(fn);
  }

  builds(projection: string, sql?: ReadModelSql): Promise<ProjectionBuild[]> {
    return this.on(sql, (q) => q.all<ProjectionBuild>(`SELECT ${COLUMNS} FROM projection_builds WHERE name = ? ORDER BY build`, [projection]));
  }

  build(projection: string, build: number, sql?: ReadModelSql): Promise<ProjectionBuild | undefined> {
    return this.on(sql, (q) => q.get<ProjectionBuild>(`SELECT ${COLUMNS} FROM projection_builds WHERE name = ? AND build = ?`, [projection, build]));
  }

  liveBuild(projection: string, sql?: ReadModelSql): Promise<ProjectionBuild | undefined> {
    return this.on(sql, (q) => q.get<ProjectionBuild>(`SELECT ${COLUMNS} FROM projection_builds WHERE name = ? AND status = 'live'`, [projection]));
  }

  /** The table that answers queries for a projection now, or undefined before its first build started. */
  async liveTable(projection: string, table: string, sql?: ReadModelSql): Promise<string | undefined> {
    const live = await this.liveBuild(projection, sql);
    return live && buildTable(projection, live.version, live.build, table);
  }

  /** Position of the live build of a projection (0 when it has none). */
  async livePosition(projection: string, sql?: ReadModelSql): Promise<number> {
    return (await this.liveBuild(projection, sql))?.position ?? 0;
  }

  /** A new build, live at once when the projection has no live build yet. Call inside a transaction. */
  async createBuild(sql: ReadModelSql, projection: string, version: number): Promise<ProjectionBuild> {
    const builds = await this.builds(projection, sql);
    const build = Math.max(0, ...builds.map((b) => b.build)) + 1;
    const status: BuildStatus = builds.some((b) => b.status === 'live') ? 'building' : 'live';
    const now = new Date().toISOString();
    await sql.run('INSERT INTO projection_builds (name, build, version, position, status, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)', [
      projection,
      build,
      version,
      status,
      now,
      now,
    ]);
    return { name: projection, build, version, position: 0, status };
  }

  /** Moves a build's checkpoint. Call inside the transaction that changed its tables. */
  async advance(sql: ReadModelSql, projection: string, build: number, position: number): Promise<void> {
    await sql.run('UPDATE projection_builds SET position = ?, updated_at = ? WHERE name = ? AND build = ?', [
      position,
      new Date().toISOString(),
      projection,
      build,
    ]);
  }

  /** Makes a build the live one and drops the build it replaces, tables and all. Call inside a transaction. */
  async switchLive(sql: ReadModelSql, projection: string, build: number): Promise<ProjectionBuild | undefined> {
    const previous = await this.liveBuild(projection, sql);
    if (previous?.build === build) return undefined;
    if (previous) await this.dropBuild(sql, previous);
    await sql.run(`UPDATE projection_builds SET status = 'live', updated_at = ? WHERE name = ? AND build = ?`, [new Date().toISOString(), projection, build]);
    return previous;
  }

  /** Removes a build and its tables. Call inside a transaction. */
  async dropBuild(sql: ReadModelSql, build: ProjectionBuild): Promise<void> {
    const prefix = `${buildTable(build.name, build.version, build.build, 'x').slice(0, -1)}`;
    for (const table of await this.store.tablesStartingWith(sql, prefix)) await sql.exec(`DROP TABLE "${table}"`);
    await sql.run('DELETE FROM projection_builds WHERE name = ? AND build = ?', [build.name, build.build]);
  }

  /** Asks the node that owns a read model to rebuild it (a request already waiting stands). */
  async requestRebuild(projection: string, jobId: string): Promise<void> {
    await this.transaction((sql) =>
      sql.run('INSERT INTO projection_rebuild_requests (name, job_id, requested_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
        projection,
        jobId,
        new Date().toISOString(),
      ]),
    );
  }

  /** The waiting rebuild requests of these read models (they stay until `removeRebuildRequest`). */
  async rebuildRequests(projections: readonly string[]): Promise<string[]> {
    if (projections.length === 0) return [];
    const placeholders = projections.map(() => '?').join(', ');
    const rows = await this.read((sql) =>
      sql.all<{ name: string }>(`SELECT name FROM projection_rebuild_requests WHERE name IN (${placeholders}) ORDER BY name`, projections),
    );
    return rows.map((row) => row.name);
  }

  /** Removes a read model's rebuild request, once its rebuild is recorded (or one already runs). */
  async removeRebuildRequest(projection: string): Promise<void> {
    await this.transaction((sql) => sql.run('DELETE FROM projection_rebuild_requests WHERE name = ?', [projection]));
  }

  async close(): Promise<void> {
    await this.installed.catch(() => undefined);
    await this.store.close();
  }

  private on<T>(sql: ReadModelSql | undefined, fn: (sql: ReadModelSql) => Promise<T>): Promise<T> {
    return sql ? fn(sql) : this.read(fn);
  }
}
