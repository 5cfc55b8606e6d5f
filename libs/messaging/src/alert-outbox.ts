import type { StoredEvent } from '@vigil/event-store';
import { LeaseTable, ReadModelSql, ReadModelStore, SqliteReadModelStore } from '@vigil/projections';
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
  /** `<VIGIL_DATA_DIR>/notifier.sqlite`, or `:memory:` in tests (a SQLite store of its own). */
  file?: string;
  /** Or a read-model store: on PostgreSQL, the schema every node shares (VIGIL_READ_MODELS=postgres). */
  store?: ReadModelStore;
  /** Runs first in every transaction that changes the outbox, and throws to refuse it: the notifier's lease. */
  fence?: (sql: ReadModelSql) => Promise<void>;
}

/**
 * The notifier's outbox: one delivery row per (alert event, channel), written in the same transaction as
 * the position in the log it covers. Replaying the log inserts nothing new (the row key is the event id),
 * so no event is sent twice because of a restart, replay or rebuild. On SQLite (the embedded default) it
 * is a file of its own; on PostgreSQL it is in the shared schema, and one node at a time (the notifier
 * lease's holder) changes it.
 *
 * Delivery is at least once: a crash (kill -9) or a lost lease between a receiver's 2xx and marking the
 * row delivered sends that event again, with the same event id; receivers deduplicate by it (README).
 */
export class AlertOutbox {
  private readonly store: ReadModelStore;
  private readonly fence: (sql: ReadModelSql) => Promise<void>;
  /** The outbox's tables, created on first use. */
  private readonly installed: Promise<void>;

  constructor(options: AlertOutboxOptions) {
    if (!options.store && !options.file) throw new Error('an outbox needs a file or a store');
    this.store = options.store ?? new SqliteReadModelStore({ file: options.file as string });
    this.fence = options.fence ?? (async () => undefined);
    this.installed = this.install();
    this.installed.catch(() => undefined); // reported to the first caller
  }

  /** The leases kept beside the outbox: the notifier's, one deliverer at a time. */
  get leases(): LeaseTable {
    return this.store.leases;
  }

  private async install(): Promise<void> {
    await this.store.install(`
        CREATE TABLE IF NOT EXISTS outbox_checkpoint (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          position BIGINT NOT NULL
        );
        INSERT INTO outbox_checkpoint (id, position) VALUES (1, 0) ON CONFLICT DO NOTHING;
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
          global_position BIGINT NOT NULL,
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
    if (this.store.kind !== 'sqlite') return;
    // SQLite outboxes created before attempts kept the channel's receipt get its column.
    await this.store.transaction(async (sql) => {
      const columns = await sql.all<{ name: string }>(`SELECT name FROM pragma_table_info('delivery_attempts')`);
      if (!columns.some((column) => column.name === 'detail')) await sql.exec('ALTER TABLE delivery_attempts ADD COLUMN detail TEXT');
    });
  }

  /**
   * Deliveries not yet accepted by their receiver, by channel (the `vigil_outbox_backlog` gauge): 0 for each
   * of `channels` (the configured ones) with none pending, so the gauge has a sample at rest too.
   */
  async backlog(channels: readonly string[] = []): Promise<Record<string, number>> {
    await this.installed;
    const rows = await this.store.read((sql) =>
      sql.all<{ channel: string; pending: number }>(
        `SELECT channel, CAST(COUNT(*) AS INTEGER) AS pending FROM deliveries WHERE status = 'pending' GROUP BY channel`,
      ),
    );
    return { ...Object.fromEntries(channels.map((channel) => [channel, 0])), ...Object.fromEntries(rows.map(({ channel, pending }) => [channel, pending])) };
  }

  /** Global position of the last log event the outbox has taken into account. */
  async position(): Promise<number> {
    await this.installed;
    const row = await this.store.read((sql) => sql.get<{ position: number }>('SELECT position FROM outbox_checkpoint WHERE id = 1'));
    return row?.position ?? 0;
  }

  /**
   * Adds a pending delivery per channel for each alert event, and moves the position to `upTo`,
   * atomically. Returns how many new rows were created (0 on replay).
   */
  async record(alertEvents: StoredEvent[], channels: readonly string[], upTo: number, now = new Date()): Promise<number> {
    await this.installed;
    // Without waiting for the disk: rows and position derive from the log, which is durable, so a crash
    // loses at most the last ones and they are taken again from the log (ON CONFLICT DO NOTHING). Delivery
    // comes after, and markDelivered's durable commit carries every record before it.
    // This runs for every batch of the log, alert or not: an fsync each time stalled ingestion.
    return this.store.transaction(
      async (sql) => {
        await this.fence(sql);
        let created = 0;
        const at = now.toISOString();
        for (const event of alertEvents) {
          const alertId = alertIdOf(event);
          await sql.run('INSERT INTO alert_events (event_id, alert_id, event) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [
            event.eventId,
            alertId,
            JSON.stringify(event),
          ]);
          for (const channel of channels) {
            created += await sql.run(
              `INSERT INTO deliveries (event_id, channel, alert_id, event_type, global_position, status, attempts, next_attempt_at, created_at)
               VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT DO NOTHING`,
              [event.eventId, channel, alertId, event.type, event.globalPosition, at, at],
            );
          }
        }
        await sql.run('UPDATE outbox_checkpoint SET position = ? WHERE id = 1 AND position < ?', [upTo, upTo]);
        return created;
      },
      { durable: false },
    );
  }

  /**
   * Deliveries whose time has come, oldest first. A later event of an alert waits on the same
   * channel until the earlier ones got through: a receiver never sees a retraction before its raise.
   */
  async due(now = new Date(), limit = 100): Promise<DueDelivery[]> {
    await this.installed;
    const rows = await this.store.read((sql) =>
      sql.all<DeliveryRow & { event: string }>(
        `SELECT d.*, e.event FROM deliveries d JOIN alert_events e ON e.event_id = d.event_id
         WHERE d.status = 'pending' AND d.next_attempt_at <= ?
           AND NOT EXISTS (SELECT 1 FROM deliveries earlier
                           WHERE earlier.alert_id = d.alert_id AND earlier.channel = d.channel
                             AND earlier.status = 'pending' AND earlier.global_position < d.global_position)
         ORDER BY d.global_position, d.channel LIMIT ?`,
        [now.toISOString(), limit],
      ),
    );
    return rows.map((row) => ({ delivery: toDelivery(row), event: JSON.parse(row.event) as StoredEvent }));
  }

  /** When the next pending delivery falls due, if any. */
  async nextDueAt(): Promise<Date | undefined> {
    await this.installed;
    const row = await this.store.read((sql) =>
      sql.get<{ next_at: string | null }>(`SELECT min(next_attempt_at) AS next_at FROM deliveries WHERE status = 'pending'`),
    );
    return row?.next_at ? new Date(row.next_at) : undefined;
  }

  async markDelivered(eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt' | 'ok' | 'error'>): Promise<void> {
    await this.installed;
    await this.store.transaction(async (sql) => {
      await this.fence(sql);
      const attempts = await this.logAttempt(sql, eventId, channel, { ...attempt, ok: true });
      await sql.run(
        `UPDATE deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, next_attempt_at = NULL, last_error = NULL
         WHERE event_id = ? AND channel = ?`,
        [attempts, attempt.at, eventId, channel],
      );
    });
  }

  async markFailed(eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt' | 'ok'>, nextAttemptAt: Date): Promise<void> {
    await this.installed;
    await this.store.transaction(async (sql) => {
      await this.fence(sql);
      const attempts = await this.logAttempt(sql, eventId, channel, { ...attempt, ok: false });
      await sql.run(`UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE event_id = ? AND channel = ?`, [
        attempts,
        nextAttemptAt.toISOString(),
        attempt.error ?? null,
        eventId,
        channel,
      ]);
    });
  }

  /** Every delivery of an alert's events, with each attempt. */
  async deliveriesOf(alertId: string): Promise<DeliveryWithAttempts[]> {
    await this.installed;
    return this.store.read(async (sql) => {
      const rows = await sql.all<DeliveryRow>('SELECT * FROM deliveries WHERE alert_id = ? ORDER BY global_position, channel', [alertId]);
      const deliveries: DeliveryWithAttempts[] = [];
      for (const row of rows) {
        const attempts = await sql.all('SELECT * FROM delivery_attempts WHERE event_id = ? AND channel = ? ORDER BY attempt', [row.event_id, row.channel]);
        deliveries.push({
          ...toDelivery(row),
          attemptLog: attempts.map((a) => ({
            attempt: a.attempt as number,
            at: a.at as string,
            ok: a.ok === 1,
            durationMs: a.duration_ms as number,
            ...(a.status_code !== null ? { statusCode: a.status_code as number } : {}),
            ...(a.error !== null ? { error: a.error as string } : {}),
            ...(a.detail !== null && a.detail !== undefined ? { detail: a.detail as string } : {}),
          })),
        });
      }
      return deliveries;
    });
  }

  async close(): Promise<void> {
    await this.installed.catch(() => undefined);
    await this.store.close();
  }

  private async logAttempt(sql: ReadModelSql, eventId: string, channel: string, attempt: Omit<DeliveryAttempt, 'attempt'>): Promise<number> {
    const row = await sql.get<{ attempts: number }>('SELECT attempts FROM deliveries WHERE event_id = ? AND channel = ?', [eventId, channel]);
    if (!row) throw new Error(`no delivery of event ${eventId} on channel ${channel}`);
    const number = row.attempts + 1;
    await sql.run(
      'INSERT INTO delivery_attempts (event_id, channel, attempt, at, ok, duration_ms, status_code, error, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        eventId,
        channel,
        number,
        attempt.at,
        attempt.ok ? 1 : 0,
        Math.round(attempt.durationMs),
        attempt.statusCode ?? null,
        attempt.error ?? null,
        attempt.detail ?? null,
      ],
    );
    return number;
  }
}
