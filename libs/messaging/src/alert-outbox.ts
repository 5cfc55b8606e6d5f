import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { StoredEvent } from '@vigil/event-store';
import { alertIdOf } from './alert-message';

export type DeliveryStatus = 'pending' | 'delivered';

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  ok: boolean;
  durationMs: number;
  statusCode?: number;
  /** What the channel said of the delivery (Kafka: `topic/partition@offset`). */
  detail?: string;
  error?: string;
}

export interface Delivery {
  eventId: string;
  channel: string;
  alertId: string;
  eventType: string;
  globalPosition: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt?: string;
  deliveredAt?: string;
  lastError?: string;
  createdAt: string;
}

export interface DeliveryWithAttempts extends Delivery {
  attemptLog: DeliveryAttempt[];
}

/** A delivery due now, with the event to hand to the channel. */
export interface DueDelivery {
  delivery: Delivery;
  event: StoredEvent;
}

interface DeliveryRow {
  event_id: string;
  channel: string;
  alert_id: string;
  event_type: string;
  global_position: number;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: string | null;
  delivered_at: string | null;
  last_error: string | null;
  created_at: string;
}

const toDelivery = (row: DeliveryRow): Delivery => ({
  eventId: row.event_id,
  channel: row.channel,
  alertId: row.alert_id,
  eventType: row.event_type,
  globalPosition: row.global_position,
  status: row.status,
  attempts: row.attempts,
  ...(row.next_attempt_at ? { nextAttemptAt: row.next_attempt_at } : {}),
  ...(row.delivered_at ? { deliveredAt: row.delivered_at } : {}),
  ...(row.last_error ? { lastError: row.last_error } : {}),
  createdAt: row.created_at,
});

export interface AlertOutboxOptions {
  /** `<VIGIL_DATA_DIR>/notifier.sqlite`, or `:memory:` in tests. */
  file: string;
}

/**
 * The notifier's own SQLite outbox: one delivery row per (alert event, channel), written in the same
 * transaction as the position in the log it covers. Replaying the log inserts nothing new (the row
 * key is the event id), so no event is sent twice because of a restart, replay or rebuild.
 * The only repeat left is a crash between a receiver's 2xx and marking the row delivered: receivers
 * deduplicate by event id.
 */
export class AlertOutbox {
  private readonly sql: Database.Database;

  constructor(options: AlertOutboxOptions) {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    this.sql = new Database(options.file);
    this.sql.pragma('journal_mode = WAL');
    this.sql.pragma('synchronous = FULL');
    this.sql.pragma('busy_timeout = 5000');
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox_checkpoint (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        position INTEGER NOT NULL
      );
      INSERT OR IGNORE INTO outbox_checkpoint (id, position) VALUES (1, 0);
      CREATE TABLE IF NOT EXISTS alert_events (
        event_id TEXT PRIMARY KEY,
        alert_id TEXT NOT NULL,
        event TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS deliveries (
        event_id TEXT NOT NULL REFERENCES alert_events (event_id),
        channel TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        global_position INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        delivered_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (event_id, channel)
      );
      CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_attempt_at);
      CREATE INDEX IF NOT EXISTS deliveries_by_alert ON deliveries (alert_id, channel, global_position);
      CREATE TABLE IF NOT EXISTS delivery_attempts (
        event_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        detail TEXT,
        PRIMARY KEY (event_id, channel, attempt)
      );
    `);
    // Outboxes created before attempts kept the channel's receipt get its column.
    const columns = this.sql.prepare(`SELECT name FROM pragma_table_info('delivery_attempts')`).pluck().all() as string[];
    if (!columns.includes('detail')) this.sql.exec('ALTER TABLE delivery_attempts ADD COLUMN detail TEXT');
  }

  /** Deliveries not yet accepted by their receiver, by channel (the `vigil_outbox_backlog` gauge). */
  backlog(): Record<string, number> {
    const rows = this.sql.prepare(`SELECT channel, COUNT(*) AS pending FROM deliveries WHERE status = 'pending' GROUP BY channel`).all() as {
      channel: string;
      pending: number;
    }[];
    return Object.fromEntries(rows.map(({ channel, pending }) => [channel, pending]));
  }

  /** Global position of the last log event the outbox has taken into account. */
  position(): number {
    return (this.sql.prepare('SELECT position FROM outbox_checkpoint WHERE id = 1').get() as { position: number }).position;
  }

  /**
   * Adds a pending delivery per channel for each alert event, and moves the position to `upTo`,
   * atomically. Returns how many new rows were created (0 on replay).
   */
  record(alertEvents: StoredEvent[], channels: readonly string[], upTo: number, now = new Date()): number {
    const insertEvent = this.sql.prepare('INSERT OR IGNORE INTO alert_events (event_id, alert_id, event) VALUES (?, ?, ?)');
    const insertDelivery = this.sql.prepare(
      `INSERT OR IGNORE INTO deliveries (event_id, channel, alert_id, event_type, global_position, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    );
    const moveTo = this.sql.prepare('UPDATE outbox_checkpoint SET position = ? WHERE id = 1 AND position < ?');
    // Without waiting for the disk: rows and position derive from the log, which is durable, so a power
    // cut loses at most the last ones and they are taken again from the log (INSERT OR IGNORE). Delivery
    // comes after, and markDelivered's durable commit syncs the WAL, carrying every record before it.
    // This runs for every batch of the log, alert or not: an fsync each time stalled ingestion.
    return this.withoutWaitingForTheDisk(() =>
      this.sql
        .transaction(() => {
          let created = 0;
          const at = now.toISOString();
          for (const event of alertEvents) {
            const alertId = alertIdOf(event);
            insertEvent.run(event.eventId, alertId, JSON.stringify(event));
            for (const channel of channels) created += insertDelivery.run(event.eventId, channel, alertId, event.type, event.globalPosition, at, at).changes;
          }
          moveTo.run(upTo, upTo);
          return created;
        })
        .immediate(),
    );
  }

  /** synchronous=NORMAL for one transaction: committed to the WAL, synced by the next durable commit. */
  private withoutWaitingForTheDisk<T>(fn: () => T): T {
    this.sql.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.sql.pragma('synchronous = FULL');
    }
  }

  /**
   * Deliveries whose time has come, oldest first. A later event of an alert waits on the same
   * channel until the earlier ones got through: a receiver never sees a retraction before its raise.
   */
  due(now = new Date(), limit = 100): DueDelivery[] {
    const rows = this.sql
      .prepare(
        `SELECT d.*, e.event FROM deliveries d JOIN alert_events e ON e.event_id = d.event_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?
           AND NOT EXISTS (SELECT 1 FROM deliveries earlier
                           WHERE earlier.alert_id = d.alert_id AND earlier.channel = d.channel
                             AND earlier.status = 'pending' AND earlier.global_position < d.global_position)
         ORDER BY d.global_position, d.channel LIMIT ?`,
      )
      .all(now.toISOString(), limit) as (DeliveryRow & { event: string })[];
    return rows.map((row) => ({ delivery: toDelivery(row), event: JSON.parse(row.event) as StoredEvent }));
  }

  /** When the next pending delivery falls due, if any. */
  nextDueAt(): Date | undefined {
    const row = this.sql.prepare(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE status = 'pending'`).get() as { at: string | null };
    return row.at ? new Date(row.at) : undefined;
  }

  markDelivered(eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt' | 'ok' | 'error'>): void {
    this.sql
      .transaction(() => {
        const attempts = this.logAttempt(eventId, channel, { ...attempt, ok: true });
        this.sql
          .prepare(
            `UPDATE deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, next_attempt_at = NULL, last_error = NULL
             WHERE event_id = ? AND channel = ?`,
          )
          .run(attempts, attempt.at, eventId, channel);
      })
      .immediate();
  }

  markFailed(eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt' | 'ok'>, nextAttemptAt: Date): void {
    this.sql
      .transaction(() => {
        const attempts = this.logAttempt(eventId, channel, { ...attempt, ok: false });
        this.sql
          .prepare(`UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE event_id = ? AND channel = ?`)
          .run(attempts, nextAttemptAt.toISOString(), attempt.error ?? null, eventId, channel);
      })
      .immediate();
  }

  /** Every delivery of an alert's events, with each attempt. */
  deliveriesOf(alertId: string): DeliveryWithAttempts[] {
    const rows = this.sql.prepare('SELECT * FROM deliveries WHERE alert_id = ? ORDER BY global_position, channel').all(alertId) as DeliveryRow[];
    const attempts = this.sql.prepare('SELECT * FROM delivery_attempts WHERE event_id = ? AND channel = ? ORDER BY attempt');
    return rows.map((row) => ({
      ...toDelivery(row),
      attemptLog: (attempts.all(row.event_id, row.channel) as Record<string, unknown>[]).map((a) => ({
        attempt: a.attempt as number,
        at: a.at as string,
        ok: a.ok === 1,
        durationMs: a.duration_ms as number,
        ...(a.status_code !== null ? { statusCode: a.status_code as number } : {}),
        ...(a.error !== null ? { error: a.error as string } : {}),
        ...(a.detail !== null && a.detail !== undefined ? { detail: a.detail as string } : {}),
      })),
    }));
  }

  close(): void {
    if (this.sql.open) this.sql.close();
  }

  private logAttempt(eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt'>): number {
    const row = this.sql.prepare('SELECT attempts FROM deliveries WHERE event_id = ? AND channel = ?').get(eventId, channel) as
      { attempts: number } | undefined;
    if (!row) throw new Error(`no delivery of event ${eventId} on channel ${channel}`);
    const number = row.attempts + 1;
    this.sql
      .prepare('INSERT INTO delivery_attempts (event_id, channel, attempt, at, ok, duration_ms, status_code, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(
        eventId,
        channel,
        number,
        attempt.at,
        attempt.ok ? 1 : 0,
        Math.round(attempt.durationMs),
        attempt.statusCode ?? null,
        attempt.error ?? null,
        attempt.detail ?? null,
      );
    return number;
  }
}
