import type { EventEmitter } from 'node:events';

export type ReadModelStoreKind = 'sqlite' | 'postgres';

/**
 * SQL as the read models speak it: `?` placeholders, portable DDL (TEXT, INTEGER, BIGINT, DOUBLE PRECISION),
 * `INSERT … ON CONFLICT …`. Each adapter runs it on its engine (PostgreSQL: `?` becomes `$n`).
 */
export interface ReadModelSql {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs one statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs one or several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
}

export interface TransactionOptions {
  /**
   * false: commit without waiting for the disk (SQLite synchronous=NORMAL, PostgreSQL
   * synchronous_commit=off, for this transaction only). For what derives from the log, which is durable:
   * a crash loses at most the last such commits, never corrupts them, and they are made again from the
   * checkpoint that reached the disk. Default true.
   */
  durable?: boolean;
}

/** Who holds a piece of work (a projection, the alerting reactor, the notifier), and the fencing token of that tenure. */
export interface LeaseGrant {
  name: string;
  owner: string;
  /** Grows by one at every change of owner: a write fenced with an older token is refused. */
  token: number;
}

/** Leases with heartbeats, kept where the shared state is (docs/architecture.md "Several nodes"). */
export interface LeaseTable {
  /** Takes the lease when it is free, expired, or already ours (renewing it); undefined when another owner holds it. */
  acquire(name: string, owner: string, ttlMs: number): Promise<LeaseGrant | undefined>;
  /** Extends our tenure; false when it was lost (expired and taken). */
  renew(grant: LeaseGrant, ttlMs: number): Promise<boolean>;
  release(grant: LeaseGrant): Promise<void>;
  /**
   * Inside a transaction: fails with LeaseLostError unless the grant still holds, and keeps any new
   * owner from taking it before this transaction ends (PostgreSQL: the lease row locked FOR SHARE).
   */
  fence(sql: ReadModelSql, grant: LeaseGrant): Promise<void>;
  holder(name: string): Promise<(LeaseGrant & { expiresInMs: number }) | undefined>;
}

export class LeaseLostError extends Error {
  constructor(readonly grant: LeaseGrant) {
    super(`lease ${grant.name} (token ${grant.token}) is no longer held by ${grant.owner}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * The read models' storage port: the projections' tables and registry, the alerting reactor's state,
 * the notifier's outbox and the leases. Adapters: SQLite (one file beside the events, the embedded
 * default) and PostgreSQL (a schema shared by every node). Both pass one contract suite
 * (`describeReadModelStoreContract`).
 */
export interface ReadModelStore {
  readonly kind: ReadModelStoreKind;
  /** In-process notices: `checkpoint` after a projection batch, `switched` after a blue/green switch. */
  readonly events: EventEmitter;
  readonly leases: LeaseTable;
  /** Runs `fn` in one write transaction: all or nothing. Nested calls join the outer transaction. */
  transaction<T>(fn: (sql: ReadModelSql) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Creates what `ddl` describes if it is missing (`CREATE … IF NOT EXISTS`), in one transaction; on PostgreSQL one
   * node at a time, under the schema's DDL lock: `IF NOT EXISTS` races with itself across sessions, so nodes
   * starting together would otherwise fail on each other's tables.
   */
  install(ddl: string): Promise<void>;
  /** Runs queries on one consistent snapshot (a build switched live meanwhile is never half seen). */
  read<T>(fn: (sql: ReadModelSql) => Promise<T>): Promise<T>;
  /** Names of the tables whose name starts with `prefix`. */
  tablesStartingWith(sql: ReadModelSql, prefix: string): Promise<string[]>;
  close(): Promise<void>;
}
