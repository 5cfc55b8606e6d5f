import { join } from 'node:path';
import { isSchemaName } from '@vigil/event-store';
import type { ReadModelStore, ReadModelStoreKind } from './read-model-store';

export interface ReadModelStoreConfig {
  kind: ReadModelStoreKind;
  /** SQLite file (kind 'sqlite'), or `:memory:`. */
  sqliteFile?: string;
  /** postgres://… (kind 'postgres'). */
  postgresUrl?: string;
  /** Schema of the read models, the reactor's state, the outbox and the leases (kind 'postgres'). */
  postgresSchema?: string;
}

const kinds: readonly ReadModelStoreKind[] = ['sqlite', 'postgres'];

export class ReadModelStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReadModelStoreConfigError';
  }
}

/**
 * Where the read models live: VIGIL_READ_MODELS=sqlite|postgres, by default PostgreSQL when the event
 * store is (VIGIL_EVENT_STORE=postgres: nodes share them, keep no file), else SQLite
 * (VIGIL_PROJECTIONS_FILE, default `<VIGIL_DATA_DIR>/projections.sqlite`). On PostgreSQL:
 * VIGIL_READ_MODELS_URL (default VIGIL_POSTGRES_URL) and VIGIL_READ_MODELS_SCHEMA (default
 * `<VIGIL_POSTGRES_SCHEMA or vigil>_read`).
 */
export function readModelStoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env, sqliteName = 'projections.sqlite'): ReadModelStoreConfig {
  // PostgreSQL by default where the events are there and their URL is known (a store handed over ready-made, as in tests, keeps SQLite).
  const postgresEvents = env.VIGIL_EVENT_STORE?.trim() === 'postgres' && Boolean(env.VIGIL_READ_MODELS_URL?.trim() || env.VIGIL_POSTGRES_URL?.trim());
  const fallback: ReadModelStoreKind = postgresEvents ? 'postgres' : 'sqlite';
  const kind = (env.VIGIL_READ_MODELS?.trim() || fallback) as ReadModelStoreKind;
  if (!kinds.includes(kind)) throw new ReadModelStoreConfigError(`VIGIL_READ_MODELS=${env.VIGIL_READ_MODELS} is not one of ${kinds.join(', ')}`);
  if (kind === 'postgres') {
    const postgresUrl = env.VIGIL_READ_MODELS_URL?.trim() || env.VIGIL_POSTGRES_URL?.trim();
    if (!postgresUrl)
      throw new ReadModelStoreConfigError('VIGIL_READ_MODELS=postgres needs VIGIL_READ_MODELS_URL or VIGIL_POSTGRES_URL (postgres://user@host:5432/db)');
    const postgresSchema = env.VIGIL_READ_MODELS_SCHEMA?.trim() || `${env.VIGIL_POSTGRES_SCHEMA?.trim() || 'vigil'}_read`;
    if (!isSchemaName(postgresSchema)) {
      throw new ReadModelStoreConfigError(`VIGIL_READ_MODELS_SCHEMA=${postgresSchema} must be lower-case letters, digits and _ (≤ 48)`);
    }
    return { kind, postgresUrl, postgresSchema };
  }
  const dataDir = env.VIGIL_DATA_DIR?.trim() || join(process.cwd(), 'data');
  const sqliteFile =
    sqliteName === 'projections.sqlite' && env.VIGIL_PROJECTIONS_FILE
      ? env.VIGIL_PROJECTIONS_FILE
      : dataDir === ':memory:'
        ? ':memory:'
        : join(dataDir, sqliteName);
  return { kind, sqliteFile };
}

/** Opens the configured adapter; `pg` is loaded only for PostgreSQL, better-sqlite3 only for SQLite. */
export async function createReadModelStore(config: ReadModelStoreConfig): Promise<ReadModelStore> {
  if (config.kind === 'postgres') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: a SQLite node never loads pg.
    const { PostgresReadModelStore } = require('./postgres-read-model-store') as typeof import('./postgres-read-model-store');
    return PostgresReadModelStore.open({ url: config.postgresUrl as string, schema: config.postgresSchema as string });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above).
  const { SqliteReadModelStore } = require('./sqlite-read-model-store') as typeof import('./sqlite-read-model-store');
  return new SqliteReadModelStore({ file: config.sqliteFile ?? ':memory:' });
}
