import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { LeaseGrant, LeaseLostError, LeaseTable, ReadModelSql, ReadModelStore, TransactionOptions } from './read-model-store';

export interface SqliteReadModelStoreOptions {
  /** `<VIGIL_DATA_DIR>/projections.sqlite`, or `:memory:` (then only this process sees it). */
  file: string;
}

/**
 * The read models in one SQLite file (WAL; synchronous=FULL except for commits that ask not to wait).
 * better-sqlite3 is synchronous, so the adapter runs one transaction (or read) at a time on its
 * connection, in the order asked: an async transaction never sees another one's statements.
 */
export class SqliteReadModelStore implements ReadModelStore {
  readonly kind = 'sqlite' as const;
  readonly events = new EventEmitter();
  readonly leases: LeaseTable;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Set while a transaction (or read) runs: a nested call joins it instead of waiting behind it. */
  private readonly inside = new AsyncLocalStorage<{ open: boolean }>();
  private readonly queue: { tail: Promise<unknown> };
  private readonly handle: ReadModelSql;
  /**
   * One queue per file for every connection to it in this process: better-sqlite3 waits for a lock by
   * blocking the thread, so a transaction must never wait on another connection of the same process
   * (it could never let go). Processes wait for each other through the file's lock, as usual.
   */
  private static readonly queues = new Map<string, { tail: Promise<unknown> }>();

  constructor(options: SqliteReadModelStoreOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.events.setMaxListeners(0);
    if (options.file === ':memory:') this.queue = { tail: Promise.resolve() };
    else {
      const key = resolve(options.file);
      this.queue = SqliteReadModelStore.queues.get(key) ?? { tail: Promise.resolve() };
      SqliteReadModelStore.queues.set(key, this.queue);
    }
    this.handle = {
      all: async <T>(sql: string, params: readonly unknown[] = []) => this.statement(sql).all(...params) as T[],
      get: async <T>(sql: string, params: readonly unknown[] = []) => this.statement(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly unknown[] = []) => this.statement(sql).run(...params).changes,
      exec: async (sql: string) => {
        this.statements.clear(); // DDL may drop what a cached statement refers to
        this.db.exec(sql);
      },
    };
    this.db.exec(`CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, token BIGINT NOT NULL, expires_at BIGINT NOT NULL)`);
    this.leases = new SqliteLeases(this);
  }

  transaction<T>(fn: (sql: ReadModelSql) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    if (this.inside.getStore()?.open) return fn(this.handle);
    return this.exclusive(async () => {
      if (options.durable === false) this.db.pragma('synchronous = NORMAL');
      try {
        this.db.exec('BEGIN IMMEDIATE');
        try {
          const scope = { open: true };
          const result = await this.inside.run(scope, () => fn(this.handle)).finally(() => (scope.open = false));
          this.db.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw error;
        }
      } finally {
        if (options.durable === false) this.db.pragma('synchronous = FULL');
      }
    });
  }

  read<T>(fn: (sql: ReadModelSql) => Promise<T>): Promise<T> {
    if (this.inside.getStore()?.open) return fn(this.handle);
    return this.exclusive(async () => {
      this.db.exec('BEGIN DEFERRED');
      try {
        const scope = { open: true };
        return await this.inside.run(scope, () => fn(this.handle)).finally(() => (scope.open = false));
      } finally {
        if (this.db.inTransaction) this.db.exec('COMMIT');
      }
    });
  }

  install(ddl: string): Promise<void> {
    return this.transaction((sql) => sql.exec(ddl));
  }

  async tablesStartingWith(sql: ReadModelSql, prefix: string): Promise<string[]> {
    const rows = await sql.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, ?) = ?`, [prefix.length, prefix]);
    return rows.map((row) => row.name);
  }

  async close(): Promise<void> {
    await this.queue.tail.catch(() => undefined);
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.tail.then(fn, fn);
    this.queue.tail = run.catch(() => undefined);
    return run;
  }
}

/** Leases in the SQLite file: processes sharing it share one host, hence one clock. */
class SqliteLeases implements LeaseTable {
  constructor(private readonly store: SqliteReadModelStore) {}

  acquire(name: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    return this.store.transaction(async (sql) => {
      const now = Date.now();
      const row = await sql.get<{ owner: string; token: number; expires_at: number }>('SELECT owner, token, expires_at FROM leases WHERE name = ?', [name]);
      if (row && row.owner !== owner && row.expires_at > now) return undefined;
      const token = !row ? 1 : row.owner === owner ? row.token : row.token + 1;
      await sql.run(
        `INSERT INTO leases (name, owner, token, expires_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires_at = excluded.expires_at`,
        [name, owner, token, now + ttlMs],
      );
      return { name, owner, token };
    });
  }

  async renew(grant: LeaseGrant, ttlMs: number): Promise<boolean> {
    const changed = await this.store.transaction((sql) =>
      sql.run('UPDATE leases SET expires_at = ? WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?', [
        Date.now() + ttlMs,
        grant.name,
        grant.owner,
        grant.token,
        Date.now(),
      ]),
    );
    return changed === 1;
  }

  /** Expires the lease at once (the row stays, so the next owner's token is still one higher). */
  async release(grant: LeaseGrant): Promise<void> {
    await this.store.transaction((sql) =>
      sql.run('UPDATE leases SET expires_at = 0 WHERE name = ? AND owner = ? AND token = ?', [grant.name, grant.owner, grant.token]),
    );
  }

  async fence(sql: ReadModelSql, grant: LeaseGrant): Promise<void> {
    // Inside a BEGIN IMMEDIATE transaction: no other process can write the lease row before it ends.
    const row = await sql.get('SELECT 1 AS held FROM leases WHERE name = ? AND owner = ? AND token = ? AND expires_at > ?', [
      grant.name,
      grant.owner,
      grant.token,
      Date.now(),
    ]);
    if (!row) throw new LeaseLostError(grant);
  }

  async holder(name: string): Promise<(LeaseGrant & { expiresInMs: number }) | undefined> {
    const row = await this.store.read((sql) =>
      sql.get<{ owner: string; token: number; expires_at: number }>('SELECT owner, token, expires_at FROM leases WHERE name = ?', [name]),
    );
    if (!row || row.expires_at <= Date.now()) return undefined;
    return { name, owner: row.owner, token: row.token, expiresInMs: row.expires_at - Date.now() };
  }
}
