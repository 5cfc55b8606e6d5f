import type { StoredEvent } from '@vigil/event-store';
import type { ReadModelStatement } from './read-model-database';

/** What a projection sees of the read-model database: its own version's tables, inside one transaction. */
export interface ProjectionTransaction {
  /** Physical name of one of this projection version's tables (`table('alerts')` → `alert_list_v1_alerts`). */
  table(name: string): string;
  /** A prepared statement, cached by SQL text. */
  statement(sql: string): ReadModelStatement;
  exec(sql: string): void;
}

/**
 * A read model (or a process that keeps state) fed from the event log in global order.
 *
 * The runner calls, per batch of events it handles (already upcast to their current shape):
 * 1. `prepare` (optional, async, outside the transaction): effects beyond the read model that are
 *    idempotent by construction, such as appending alert events with an expected version; it may
 *    read its own tables through `reader`. What it returns is handed to `apply`.
 * 2. `apply` (synchronous, inside the transaction that also moves the checkpoint).
 * A batch that throws is rolled back and retried from the checkpoint: nothing is skipped, nothing
 * applied twice.
 */
export interface Projection<Prepared = undefined> {
  /** lower_snake_case; prefixes the projection's tables. */
  readonly name: string;
  /** Bump when the tables or their meaning change: the new version is rebuilt beside the live one. */
  readonly version: number;
  /** Event types this projection reads; others only move its checkpoint. */
  readonly handles: readonly string[];
  /** Creates this version's tables (through `tx.table`). Runs once, in a transaction. */
  install(tx: ProjectionTransaction): void;
  prepare?(events: StoredEvent[], reader: ProjectionTransaction): Promise<Prepared>;
  apply(events: StoredEvent[], tx: ProjectionTransaction, prepared: Prepared): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProjection = Projection<any>;
