import type { ReadModelSql, ReadModelStore } from '@vigil/projections';
import type { AlertingChanges, AlertingState, PatientAlerting } from './alerting-state';

/**
 * The alerting reactor's state in the read-model store (SQLite beside the read models in the embedded
 * default, the shared PostgreSQL schema on several nodes), in tables of its own (the reactor is not a
 * projection: no builds, no blue/green). A commit is one transaction, fenced by the reactor's lease when
 * one is given; like the projections' batches it does not wait for the disk: after a crash the reactor
 * replays from the checkpoint that reached it, and replaying appends nothing (the alert decider makes
 * every repeat a no-op).
 */
export class StoredAlertingState implements AlertingState {
  private readonly name: string;
  private readonly fence: (sql: ReadModelSql) => Promise<void>;
  /** The state's tables, created on first use. */
  private readonly installed: Promise<void>;

  constructor(
    private readonly store: ReadModelStore,
    options: { name?: string; fence?: (sql: ReadModelSql) => Promise<void> } = {},
  ) {
    this.name = options.name ?? 'alerting';
    this.fence = options.fence ?? (async () => undefined);
    this.installed = this.install();
    this.installed.catch(() => undefined); // reported to the first caller
  }

  private async install(): Promise<void> {
    await this.store.install(`
        CREATE TABLE IF NOT EXISTS alerting_position (name TEXT PRIMARY KEY, position BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS alerting_patients (
          name TEXT NOT NULL,
          patient_id TEXT NOT NULL,
          site_id TEXT,
          standing TEXT NOT NULL,
          version INTEGER NOT NULL,
          next_check_at BIGINT,
          PRIMARY KEY (name, patient_id)
        );
        CREATE INDEX IF NOT EXISTS alerting_patients_due ON alerting_patients (name, next_check_at) WHERE next_check_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS alerting_owners (
          name TEXT NOT NULL,
          alert_id TEXT NOT NULL,
          patient_id TEXT NOT NULL,
          PRIMARY KEY (name, alert_id)
        );
      `);
  }

  async position(): Promise<number> {
    await this.installed;
    const row = await this.store.read((sql) => sql.get<{ position: number }>('SELECT position FROM alerting_position WHERE name = ?', [this.name]));
    return row?.position ?? 0;
  }

  async patient(patientId: string): Promise<PatientAlerting | undefined> {
    await this.installed;
    const row = await this.store.read((sql) =>
      sql.get<{ site_id: string | null; standing: string; version: number; next_check_at: number | null }>(
        'SELECT site_id, standing, version, next_check_at FROM alerting_patients WHERE name = ? AND patient_id = ?',
        [this.name, patientId],
      ),
    );
    return row && { siteId: row.site_id, standing: JSON.parse(row.standing), version: row.version, nextCheckAt: row.next_check_at };
  }

  async owners(alertIds: readonly string[]): Promise<Map<string, string>> {
    await this.installed;
    const owners = new Map<string, string>();
    await this.store.read(async (sql) => {
      for (const alertId of alertIds) {
        const row = await sql.get<{ patient_id: string }>('SELECT patient_id FROM alerting_owners WHERE name = ? AND alert_id = ?', [this.name, alertId]);
        if (row) owners.set(alertId, row.patient_id);
      }
    });
    return owners;
  }

  async commit(changes: AlertingChanges): Promise<void> {
    await this.installed;
    await this.store.transaction(
      async (sql) => {
        await this.fence(sql);
        for (const [patientId, p] of changes.patients) {
          await sql.run(
            `INSERT INTO alerting_patients (name, patient_id, site_id, standing, version, next_check_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (name, patient_id) DO UPDATE SET site_id = excluded.site_id, standing = excluded.standing, version = excluded.version,
               next_check_at = excluded.next_check_at`,
            [this.name, patientId, p.siteId, JSON.stringify(p.standing), p.version, p.nextCheckAt],
          );
        }
        for (const [alertId, patientId] of changes.owners) {
          await sql.run(
            `INSERT INTO alerting_owners (name, alert_id, patient_id) VALUES (?, ?, ?)
             ON CONFLICT (name, alert_id) DO UPDATE SET patient_id = excluded.patient_id`,
            [this.name, alertId, patientId],
          );
        }
        await sql.run('INSERT INTO alerting_position (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position', [
          this.name,
          changes.position,
        ]);
      },
      { durable: false },
    );
  }

  async due(nowMs: number): Promise<string[]> {
    await this.installed;
    const rows = await this.store.read((sql) =>
      sql.all<{ patient_id: string }>(
        'SELECT patient_id FROM alerting_patients WHERE name = ? AND next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at',
        [this.name, nowMs],
      ),
    );
    return rows.map((row) => row.patient_id);
  }

  async reset(): Promise<void> {
    await this.installed;
    await this.store.transaction(async (sql) => {
      for (const table of ['alerting_patients', 'alerting_owners', 'alerting_position']) await sql.run(`DELETE FROM ${table} WHERE name = ?`, [this.name]);
    });
  }
}
