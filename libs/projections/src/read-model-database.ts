import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type ReadModelStatement = Database.Statement<unknown[], unknown>;

export interface ReadModelDatabaseOptions {
  /** SQLite file of the read models (`<VIGIL_DATA_DIR>/projections.sqlite`), or `:memory:` in tests. */
  file: string;
  readonly?: boolean;
}

export interface Checkpoint {
  name: string;
  version: number;
  position: number;
}

const PROJECTION_NAME = /^[a-z][a-z0-9_]*$/;
const TABLE_NAME = /^[a-z][a-z0-9_]*$/;

/** `alert_list` v2 keeps its `alerts` table as `alert_list_v2_alerts`: each version builds beside the live one. */
export function versionedTable(projection: string, version: number, table: string): string {
  if (!PROJECTION_NAME.test(projection)) throw new Error(`projection name "${projection}" must be lower_snake_case`);
  if (!TABLE_NAME.test(table)) throw new Error(`table name "${table}" must be lower_snake_case`);
  if (!Number.isInteger(version) || version < 1) throw new Error(`projection version must be a positive integer, got ${version}`);
  return `${projection}_v${version}_${table}`;
}

/**
 * The read models' own SQLite database. Besides the projections' tables it keeps:
 * - `projection_checkpoints`: per (projection, version), the global position its tables cover;
 *   written in the same transaction as the tables, so a crash never skips nor repeats an event;
 * - `projection_live`: which version of each projection answers queries. A new version is built
 *   beside the live one and switched in one transaction (blue/green).
 */
export class ReadModelDatabase {
  readonly sql: Database.Database;
  /** Emits `checkpoint` (Checkpoint) after each committed batch, for in-process waiters. */
  readonly events = new EventEmitter();
  private readonly statements = new Map<string, ReadModelStatement>();

  constructor(readonly options: ReadModelDatabaseOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.sql = new Database(options.file, { readonly: options.readonly ?? false });
    this.sql.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      this.sql.pragma('journal_mode = WAL');
      this.sql.pragma('synchronous = FULL');
      this.sql.exec(`
        CREATE TABLE IF NOT EXISTS projection_checkpoints (
          name TEXT NOT NULL,
          version INTEGER NOT NULL,
          position INTEGER NOT NULL,
          updated_at TEXT NOT NULL,
          PRIMARY KEY (name, version)
        );
        CREATE TABLE IF NOT EXISTS projection_live (
          name TEXT PRIMARY KEY,
          version INTEGER NOT NULL,
          switched_at TEXT NOT NULL
        );
      `);
    }
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
  transaction<T>(fn: () => T): T {
    return this.sql.transaction(fn).immediate();
  }

  liveVersion(projection: string): number | undefined {
    const row = this.statement('SELECT version FROM projection_live WHERE name = ?').get(projection) as { version: number } | undefined;
    return row?.version;
  }

  /** The table that answers queries for a projection now, or undefined before its first build started. */
  liveTable(projection: string, table: string): string | undefined {
    const version = this.liveVersion(projection);
    return version === undefined ? undefined : versionedTable(projection, version, table);
  }

  checkpoint(projection: string, version: number): number | undefined {
    const row = this.statement('SELECT position FROM projection_checkpoints WHERE name = ? AND version = ?').get(projection, version) as
      | { position: number }
      | undefined;
    return row?.position;
  }

  /** Position of the live version of a projection (0 when it has not started). */
  livePosition(projection: string): number {
    const version = this.liveVersion(projection);
    return version === undefined ? 0 : (this.checkpoint(projection, version) ?? 0);
  }

  close(): void {
    this.statements.clear();
    if (this.sql.open) this.sql.close();
  }
}
