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
 * A read model fed from the event log in global order, and nothing else (docs/architecture.md
 * "Projections and reactors"): no appends, no messages, so rebuilding it is always safe. Effects on the
 * log belong to reactors (libs/alerting).
 *
 * The runner calls `apply` per batch of the events it handles (already upcast to their current shape),
 * synchronously, inside the transaction that also moves the checkpoint. A batch that throws is rolled
 * back and retried from the checkpoint: nothing is skipped, nothing applied twice.
 */
export interface Projection {
  /** lower_snake_case; prefixes the projection's tables. */
  readonly name: string;
  /** Bump when the tables or their meaning change: the new version is rebuilt beside the live one. */
  readonly version: number;
  /** Event types this projection reads; others only move its checkpoint. */
  readonly handles: readonly string[];
  /** Creates this version's tables (through `tx.table`). Runs once, in a transaction. */
  install(tx: ProjectionTransaction): void;
  apply(events: StoredEvent[], tx: ProjectionTransaction): void;
}
