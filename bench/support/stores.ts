import { join } from 'node:path';
import { Client } from 'pg';
import { createEventStore, createSqliteEventStore, EventStore } from '@vigil/event-store';
import type { BenchOptions } from '../options';
import { rawInserts, rawPostgresInserts, storedEventRow } from './raw-inserts';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The event store a run measures (`--store`): how to open a fresh one, how to start Vigil on one, and the raw
 * loop its appends are held against, measured on the same engine in the same run.
 */
export interface BenchStore {
  kind: StoreKind;
  /** A fresh, empty event store. */
  open(label: string): Promise<EventStore>;
  /** Rows per second of the raw loop: `rows` rows of a stored event's size, `perTransaction` to a commit. */
  raw(rows: number, perTransaction: number): Promise<number>;
  /** The environment that starts Vigil on this store; the same data directory gives the same store. */
  productEnv(dataDir: string): Record<string, string>;
  /** What the machine-limit row measures, in words, for the markdown table. */
  limitText: string;
  /** Removes what the run left outside its data directory (PostgreSQL schemas). */
  cleanup(): Promise<void>;
}

/** What a store needs of the run: its options and a fresh directory per label (BenchContext has both). */
export interface StoreSite {
  readonly options: BenchOptions;
  freshDir(label: string): string;
}

/** Made once per run (run.ts), from `--store`. */
export function benchStore(bench: StoreSite): BenchStore {
  return bench.options.store === 'postgres' ? postgresStore(bench) : sqliteStore(bench);
}

function sqliteStore(bench: StoreSite): BenchStore {
  return {
    kind: 'sqlite',
    open: (label) => createSqliteEventStore({ file: join(bench.freshDir(label), 'events.sqlite') }),
    raw: async (rows, perTransaction) => rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), storedEventRow(), rows, perTransaction),
    productEnv: () => ({}),
    limitText: 'raw better-sqlite3, WAL + synchronous=FULL, rows the size of a stored event',
    cleanup: async () => undefined,
  };
}

/** One schema per store or data directory, dropped at the end of the run unless --keep-data. */
function postgresStore(bench: StoreSite): BenchStore {
  const url = bench.options.postgresUrl;
  const schemas = new Map<string, string>();
  const schemaFor = (key: string): string => {
    let schema = schemas.get(key);
    if (!schema) {
      schema = `vigil_bench_${process.pid}_${schemas.size + 1}`;
      schemas.set(key, schema);
    }
    return schema;
  };
  return {
    kind: 'postgres',
    open: (label) => createEventStore({ kind: 'postgres', postgresUrl: url, postgresSchema: schemaFor(bench.freshDir(label)) }),
    raw: (rows, perTransaction) => rawPostgresInserts(url, schemaFor(bench.freshDir('limit')), storedEventRow(), rows, perTransaction),
    productEnv: (dataDir) => ({ VIGIL_EVENT_STORE: 'postgres', VIGIL_POSTGRES_URL: url, VIGIL_POSTGRES_SCHEMA: schemaFor(dataDir) }),
    limitText: "raw `pg` inserts into a table of a stored event's shape, one statement per transaction, each commit durable (synchronous_commit on)",
    async cleanup() {
      if (bench.options.keepData || schemas.size === 0) return;
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        // Vigil keeps its read models, outbox and leases beside the events, in `<schema>_read` (libs/projections create-read-model-store.ts).
        for (const schema of schemas.values()) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_read CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
