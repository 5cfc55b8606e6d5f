import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { Pool, PoolClient, types } from 'pg';
import { assertSchemaName } from '@vigil/event-store';
import { LeaseGrant, LeaseLostError, LeaseTable, ReadModelSql, ReadModelStore, TransactionOptions } from './read-model-store';

export interface PostgresReadModelStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema holding the read models, the reactor's state, the outbox and the leases (created if missing). */
  schema: string;
  /** Connections (default 10). */
  poolSize?: number;
}

/** BIGINT (int8) columns come back as numbers: positions and times in ms stay far below 2^53. */
const parseInt8 = (value: string): number => Number(value);
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 ? parseInt8 : types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
};

/** `?` placeholders (the read models' portable SQL) as PostgreSQL's `$1, $2, …`. */
export function numberedPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A table dropped by a blue/green switch between a read's lookup of the live build and its query. */
const UNDEFINED_TABLE = '42P01';
/** Another transaction's snapshot conflicted with ours (a serialization failure) or a deadlock: run it again. */
const RETRYABLE = new Set(['40001', '40P01']);

/**
 * The read models in a PostgreSQL schema shared by every node: API replicas read what the projector's
 * owner writes, and keep no file of their own. A transaction holds one pooled connection from BEGIN to
 * COMMIT; reads run in a REPEATABLE READ snapshot.
 */
export class PostgresReadModelStore implements ReadModelStore {
  readonly kind = 'postgres' as const;
  readonly events = new EventEmitter();
  readonly leases: LeaseTable;
  private readonly inside = new AsyncLocalStorage<{ sql: ReadModelSql; open: boolean }>();

  private constructor(
    private readonly pool: Pool,
    readonly schema: string,
  ) {
    this.events.setMaxListeners(0);
    this.leases = new PostgresLeases(this);
  }

  static async open(options: PostgresReadModelStoreOptions): Promise<PostgresReadModelStore> {
    assertSchemaName(options.schema);
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      options: `-c search_path=${options.schema}`,
      types: typeParsers,
      connectionTimeoutMillis: 5_000,
    });
    // An idle connection that dies (a restarted server, pg_terminate_backend) is dropped; the next query opens another.
    pool.on('error', () => undefined);
    const store = new PostgresReadModelStore(pool, options.schema);
    try {
      await store.migrate();
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  transaction<T>(fn: (sql: ReadModelSql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const outer = this.inside.getStore();
    if (outer?.open) return fn(outer.sql);
    return this.withClient(options.durable === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN', fn);
  }

  async read<T>(fn: (sql: ReadModelSql) => Promise<T>): Promise<T> {
    const outer = this.inside.getStore();
    if (outer?.open) return fn(outer.sql);
    try {
      return await this.withClient('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
    } catch (error) {
      // The live build looked up, then its tables dropped by a switch that committed meanwhile: read again.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return this.withClient('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
      throw error;
    }
  }

  async tablesStartingWith(sql: ReadModelSql, prefix: string): Promise<string[]> {
    const rows = await sql.all<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND substr(table_name, 1, ?) = ?`,
      [this.schema, prefix.length, prefix],
    );
    return rows.map((row) => row.name);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async withClient<T>(begin: string, fn: (sql: ReadModelSql) => Promise<T>, attempt = 1): Promise<T> {
    const client = await this.pool.connect();
    // A connection cut while checked out and between two queries (pg_terminate_backend, a restart) reports
    // here, not to a query: without a listener the process would crash. The next query fails, and the
    // connection is thrown away on release.
    let broken = false;
    const onError = () => (broken = true);
    client.on('error', onError);
    const sql = handleOn(client);
    const scope = { sql, open: true };
    try {
      await client.query(begin);
      const result = await this.inside.run(scope, () => fn(sql));
      scope.open = false;
      await client.query('COMMIT');
      return result;
    } catch (error) {
      scope.open = false;
      await client.query('ROLLBACK').catch(() => (broken = true));
      if (RETRYABLE.has((error as { code?: string }).code ?? '') && attempt < 5) return this.withClient(begin, fn, attempt + 1);
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  private async migrate(): Promise<void> {
    await this.pool.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`).catch(async (error: { code?: string }) => {
      if (error.code !== '23505') throw error; // created by another node at the same moment
    });
    await this.install(`CREATE TABLE IF NOT EXISTS leases (
        name TEXT PRIMARY KEY, owner TEXT NOT NULL, token BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)`);
  }

  install(ddl: string): Promise<void> {
    return this.transaction(async (sql) => {
      // One node at a time creates the tables (CREATE … IF NOT EXISTS races with itself across sessions).
      await sql.run(`SELECT pg_advisory_xact_lock(hashtext(?))`, [`${this.schema}.read_models`]);
      await sql.exec(ddl);
    });
  }
}

function handleOn(client: PoolClient): ReadModelSql {
  const query = (sql: string, params: readonly unknown[]) => client.query(numberedPlaceholders(sql), params as unknown[]);
  return {
    all: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly unknown[] = []) => (await query(sql, params)).rowCount ?? 0,
    exec: async (sql: string) => void (await client.query(sql)),
  };
}

/**
 * Leases on the database's clock (clock_timestamp()), so nodes with skewed clocks agree on expiry. A
 * fenced transaction locks the lease row FOR SHARE: a standby's takeover (an UPDATE of that row) waits
 * until it ends, and any later write of the old owner finds the token changed and is refused.
 */
class PostgresLeases implements LeaseTable {
  constructor(private readonly store: PostgresReadModelStore) {}

  acquire(name: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    return this.store.transaction(async (sql) => {
      const row = await sql.get<{ token: number }>(
        `INSERT INTO leases (name, owner, token, expires_at) VALUES (?, ?, 1, clock_timestamp() + make_interval(secs => ?))
         ON CONFLICT (name) DO UPDATE SET
           token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END,
           owner = excluded.owner, expires_at = excluded.expires_at
         WHERE leases.owner = excluded.owner OR leases.expires_at < clock_timestamp()
         RETURNING token`,
        [name, owner, ttlMs / 1000],
      );
      return row && { name, owner, token: row.token };
    });
  }

  async renew(grant: LeaseGrant, ttlMs: number): Promise<boolean> {
    const changed = await this.store.transaction((sql) =>
      sql.run(
        `UPDATE leases SET expires_at = clock_timestamp() + make_interval(secs => ?)
         WHERE name = ? AND owner = ? AND token = ? AND expires_at > clock_timestamp()`,
        [ttlMs / 1000, grant.name, grant.owner, grant.token],
      ),
    );
    return changed === 1;
  }

  /** Expires the lease at once (the row stays, so the next owner's token is still one higher). */
  async release(grant: LeaseGrant): Promise<void> {
    await this.store.transaction((sql) =>
      sql.run(`UPDATE leases SET expires_at = clock_timestamp() - interval '1 second' WHERE name = ? AND owner = ? AND token = ?`, [
        grant.name,
        grant.owner,
        grant.token,
      ]),
    );
  }

  async fence(sql: ReadModelSql, grant: LeaseGrant): Promise<void> {
    const row = await sql.get('SELECT 1 AS held FROM leases WHERE name = ? AND owner = ? AND token = ? AND expires_at > clock_timestamp() FOR SHARE', [
      grant.name,
      grant.owner,
      grant.token,
    ]);
    if (!row) throw new LeaseLostError(grant);
  }

  async holder(name: string): Promise<(LeaseGrant & { expiresInMs: number }) | undefined> {
    const row = await this.store.read((sql) =>
      sql.get<{ owner: string; token: number; ms: number }>(
        `SELECT owner, token, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS ms FROM leases WHERE name = ?`,
        [name],
      ),
    );
    if (!row || row.ms <= 0) return undefined;
    return { name, owner: row.owner, token: row.token, expiresInMs: row.ms };
  }
}
