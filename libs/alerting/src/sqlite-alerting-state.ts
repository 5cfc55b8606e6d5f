import type { ReadModelDatabase } from '@vigil/projections';
import type { AlertingChanges, AlertingState, PatientAlerting } from './alerting-state';

/**
 * The alerting reactor's state in the read models' SQLite database, in tables of its own (the reactor is
 * not a projection: no builds, no blue/green). A commit is one transaction; like the projections' batches
 * it does not wait for the disk: after a power cut the reactor replays from the checkpoint that reached
 * it, and replaying appends nothing (the alert decider makes every repeat a no-op).
 */
export class SqliteAlertingState implements AlertingState {
  constructor(
    private readonly db: ReadModelDatabase,
    private readonly name = 'alerting',
  ) {
    db.sql.exec(`
      CREATE TABLE IF NOT EXISTS alerting_position (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS alerting_patients (
        name TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        site_id TEXT,
        standing TEXT NOT NULL,
        version INTEGER NOT NULL,
        next_check_at INTEGER,
        PRIMARY KEY (name, patient_id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS alerting_patients_due ON alerting_patients (name, next_check_at) WHERE next_check_at IS NOT NULL;
      CREATE TABLE IF NOT EXISTS alerting_owners (
        name TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        patient_id TEXT NOT NULL,
        PRIMARY KEY (name, alert_id)
      ) WITHOUT ROWID;
    `);
  }

  async position(): Promise<number> {
    return (this.db.statement('SELECT position FROM alerting_position WHERE name = ?').pluck().get(this.name) as number | undefined) ?? 0;
  }

  async patient(patientId: string): Promise<PatientAlerting | undefined> {
    const row = this.db
      .statement('SELECT site_id, standing, version, next_check_at FROM alerting_patients WHERE name = ? AND patient_id = ?')
      .get(this.name, patientId) as { site_id: string | null; standing: string; version: number; next_check_at: number | null } | undefined;
    return row && { siteId: row.site_id, standing: JSON.parse(row.standing), version: row.version, nextCheckAt: row.next_check_at };
  }

  async owners(alertIds: readonly string[]): Promise<Map<string, string>> {
    const owners = new Map<string, string>();
    const find = this.db.statement('SELECT patient_id FROM alerting_owners WHERE name = ? AND alert_id = ?').pluck();
    for (const alertId of alertIds) {
      const patientId = find.get(this.name, alertId) as string | undefined;
      if (patientId !== undefined) owners.set(alertId, patientId);
    }
    return owners;
  }

  async commit(changes: AlertingChanges): Promise<void> {
    const savePatient = this.db.statement(
      'INSERT OR REPLACE INTO alerting_patients (name, patient_id, site_id, standing, version, next_check_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const saveOwner = this.db.statement('INSERT OR REPLACE INTO alerting_owners (name, alert_id, patient_id) VALUES (?, ?, ?)');
    const savePosition = this.db.statement('INSERT OR REPLACE INTO alerting_position (name, position) VALUES (?, ?)');
    this.db.transaction(
      () => {
        for (const [patientId, p] of changes.patients) {
          savePatient.run(this.name, patientId, p.siteId, JSON.stringify(p.standing), p.version, p.nextCheckAt);
        }
        for (const [alertId, patientId] of changes.owners) saveOwner.run(this.name, alertId, patientId);
        savePosition.run(this.name, changes.position);
      },
      { durable: false },
    );
  }

  async due(nowMs: number): Promise<string[]> {
    return this.db
      .statement('SELECT patient_id FROM alerting_patients WHERE name = ? AND next_check_at IS NOT NULL AND next_check_at <= ? ORDER BY next_check_at')
      .pluck()
      .all(this.name, nowMs) as string[];
  }

  async reset(): Promise<void> {
    this.db.transaction(() => {
      for (const table of ['alerting_patients', 'alerting_owners', 'alerting_position'])
        this.db.statement(`DELETE FROM ${table} WHERE name = ?`).run(this.name);
    });
  }
}
