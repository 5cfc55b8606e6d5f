import type { StoredEvent } from '@vigil/event-store';
import type { ReadModelSql } from '../store/read-model-store';

/**
 * What a projection sees of the read-model store: its own build's tables, inside one transaction, in
 * the read models' portable SQL (runs on SQLite and PostgreSQL alike).
 */
export interface ProjectionTransaction extends ReadModelSql {
  /** Physical name of one of this build's tables (`table('alerts')` → `alert_list_v2_b1_alerts`). */
  table(name: string): string;
}

/**
 * A read model fed from the event log in global order, and nothing else (docs/architecture.md
 * "Projections and reactors"): no appends, no messages, so rebuilding it is always safe. Effects on the
 * log belong to reactors (libs/alerting).
 *
 * The runner calls `apply` per batch of the events it handles (already upcast to their current shape),
 * inside the transaction that also moves the checkpoint. A batch that throws is rolled
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
  install(tx: ProjectionTransaction): Promise<void>;
  apply(events: StoredEvent[], tx: ProjectionTransaction): Promise<void>;
}
