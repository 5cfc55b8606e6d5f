import type {
  AlertAcknowledgedData,
  AlertClosedData,
  AlertEscalatedData,
  AlertFigures,
  AlertRaisedData,
  AlertRetractedData,
  AlertUpdatedData,
} from '@vigil/domain';
import { ALERT_EVENT_TYPES, severityRose } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import type { Projection, ProjectionTransaction } from '../../engine/projection';
import type { AlertUpdateView } from './alert-view';

export const ALERT_LIST = 'alert_list';

const withoutMessage = ({ message: _message, ...figures }: AlertFigures): Omit<AlertFigures, 'message'> => figures;

/** The alert list: one row per alert, following its events. Ordered by the position it was raised at. */
export class AlertListProjection implements Projection {
  readonly name = ALERT_LIST;
  /** 2: updates, closures and the time an alert last became open. */
  readonly version = 2;
  readonly handles = ALERT_EVENT_TYPES;

  install(tx: ProjectionTransaction): void {
    const alerts = tx.table('alerts');
    tx.exec(`
      CREATE TABLE ${alerts} (
        alert_id TEXT PRIMARY KEY,
        raised_position INTEGER NOT NULL UNIQUE,
        patient_id TEXT NOT NULL,
        site_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        status TEXT NOT NULL,
        escalated INTEGER NOT NULL DEFAULT 0,
        escalated_at TEXT,
        triggered_by TEXT NOT NULL,
        subject TEXT,
        value REAL,
        unit TEXT,
        normalised_value REAL,
        normalised_unit TEXT,
        threshold REAL,
        threshold_unit TEXT,
        grade INTEGER,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        raised_at TEXT NOT NULL,
        open_since TEXT NOT NULL,
        occurred_at TEXT NOT NULL,
        deadline TEXT,
        acknowledged_at TEXT,
        acknowledged_by TEXT,
        acknowledged_by_name TEXT,
        acknowledgement_note TEXT,
        retracted_at TEXT,
        retracted_by TEXT,
        retraction_reason TEXT,
        closed_at TEXT,
        reported_at TEXT,
        late INTEGER,
        report_reference TEXT,
        updates TEXT NOT NULL DEFAULT '[]'
      );
      CREATE INDEX ${alerts}_by_status ON ${alerts} (status, raised_position);
      CREATE INDEX ${alerts}_by_patient ON ${alerts} (patient_id, raised_position);
      CREATE INDEX ${alerts}_by_site ON ${alerts} (site_id, raised_position);
      CREATE INDEX ${alerts}_by_rule ON ${alerts} (rule_id, raised_position);
      CREATE INDEX ${alerts}_unescalated ON ${alerts} (escalated, status);
    `);
  }

  apply(events: StoredEvent[], tx: ProjectionTransaction): void {
    const alerts = tx.table('alerts');
    const raise = tx.statement(`
      INSERT OR IGNORE INTO ${alerts} (alert_id, raised_position, patient_id, site_id, rule_id, status, triggered_by, subject, value, unit,
        normalised_value, normalised_unit, threshold, threshold_unit, grade, severity, message, raised_at, open_since, occurred_at, deadline)
      VALUES (@alertId, @position, @patientId, @siteId, @ruleId, 'open', @triggeredBy, @subject, @value, @unit,
        @normalisedValue, @normalisedUnit, @threshold, @thresholdUnit, @grade, @severity, @message, @raisedAt, @raisedAt, @occurredAt, @deadline)`);
    const acknowledge = tx.statement(`
      UPDATE ${alerts} SET status = CASE WHEN status IN ('retracted', 'closed') THEN status ELSE 'acknowledged' END,
        acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_name = ?, acknowledgement_note = ?
      WHERE alert_id = ?`);
    const escalate = tx.statement(`UPDATE ${alerts} SET escalated = 1, escalated_at = ? WHERE alert_id = ?`);
    const retract = tx.statement(`UPDATE ${alerts} SET status = 'retracted', retracted_at = ?, retracted_by = ?, retraction_reason = ? WHERE alert_id = ?`);
    const close = tx.statement(
      `UPDATE ${alerts} SET status = CASE WHEN status = 'retracted' THEN status ELSE 'closed' END,
        closed_at = ?, reported_at = ?, late = ?, report_reference = ? WHERE alert_id = ?`,
    );
    const updates = tx.statement(`SELECT updates, status FROM ${alerts} WHERE alert_id = ?`);
    const update = tx.statement(`
      UPDATE ${alerts} SET value = @value, unit = @unit, normalised_value = @normalisedValue, normalised_unit = @normalisedUnit, grade = @grade,
        severity = @severity, message = @message, deadline = @deadline, updates = @updates,
        status = CASE WHEN @reopen = 1 AND status = 'acknowledged' THEN 'open' ELSE status END,
        escalated = CASE WHEN @reopen = 1 AND status = 'acknowledged' THEN 0 ELSE escalated END,
        open_since = CASE WHEN @reopen = 1 AND status = 'acknowledged' THEN @updatedAt ELSE open_since END
      WHERE alert_id = @alertId`);

    for (const event of events) {
      switch (event.type) {
        case 'AlertRaised': {
          const d = event.data as AlertRaisedData;
          raise.run({
            alertId: d.alertId,
            position: event.globalPosition,
            patientId: d.patientId,
            siteId: d.siteId,
            ruleId: d.ruleId,
            triggeredBy: d.triggeredBy,
            subject: d.subject ?? null,
            value: d.value,
            unit: d.unit,
            normalisedValue: d.normalisedValue,
            normalisedUnit: d.normalisedUnit,
            threshold: d.threshold,
            thresholdUnit: d.thresholdUnit,
            grade: d.grade,
            severity: d.severity,
            message: d.message,
            raisedAt: d.raisedAt,
            occurredAt: event.metadata.occurredAt,
            deadline: d.deadline ?? null,
          });
          break;
        }
        case 'AlertAcknowledged': {
          const d = event.data as AlertAcknowledgedData;
          acknowledge.run(d.acknowledgedAt, d.by.userId, d.by.name ?? null, d.note ?? null, d.alertId);
          break;
        }
        case 'AlertEscalated': {
          const d = event.data as AlertEscalatedData;
          escalate.run(d.escalatedAt, d.alertId);
          break;
        }
        case 'AlertRetracted': {
          const d = event.data as AlertRetractedData;
          retract.run(d.retractedAt, d.correctionEventId, d.reason, d.alertId);
          break;
        }
        case 'AlertClosed': {
          const d = event.data as AlertClosedData;
          close.run(d.closedAt, d.reportedAt, d.late ? 1 : 0, d.reference ?? null, d.alertId);
          break;
        }
        case 'AlertUpdated': {
          const d = event.data as AlertUpdatedData;
          const row = updates.get(d.alertId) as { updates: string } | undefined;
          if (!row) break;
          const history = JSON.parse(row.updates) as AlertUpdateView[];
          history.push({
            updatedAt: d.updatedAt,
            correctionEventId: d.correctionEventId,
            reason: d.reason,
            previous: withoutMessage(d.previous),
            current: withoutMessage(d.current),
          });
          const c = d.current;
          update.run({
            alertId: d.alertId,
            value: c.value,
            unit: c.unit,
            normalisedValue: c.normalisedValue,
            normalisedUnit: c.normalisedUnit,
            grade: c.grade,
            severity: c.severity,
            message: c.message,
            deadline: c.deadline ?? null,
            updates: JSON.stringify(history),
            reopen: severityRose(d) ? 1 : 0,
            updatedAt: d.updatedAt,
          });
          break;
        }
      }
    }
  }
}
