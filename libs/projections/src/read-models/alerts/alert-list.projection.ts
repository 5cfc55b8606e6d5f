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

  async install(tx: ProjectionTransaction): Promise<void> {
    const alerts = tx.table('alerts');
    await tx.exec(`
      CREATE TABLE ${alerts} (
        alert_id TEXT PRIMARY KEY,
        raised_position BIGINT NOT NULL UNIQUE,
        patient_id TEXT NOT NULL,
        site_id TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        status TEXT NOT NULL,
        escalated INTEGER NOT NULL DEFAULT 0,
        escalated_at TEXT,
        triggered_by TEXT NOT NULL,
        subject TEXT,
        value DOUBLE PRECISION,
        unit TEXT,
        normalised_value DOUBLE PRECISION,
        normalised_unit TEXT,
        threshold DOUBLE PRECISION,
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

  async apply(events: StoredEvent[], tx: ProjectionTransaction): Promise<void> {
    const alerts = tx.table('alerts');
    const raise = `
      INSERT INTO ${alerts} (alert_id, raised_position, patient_id, site_id, rule_id, status, triggered_by, subject, value, unit,
        normalised_value, normalised_unit, threshold, threshold_unit, grade, severity, message, raised_at, open_since, occurred_at, deadline)
      VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
    const acknowledge = `
      UPDATE ${alerts} SET status = CASE WHEN status IN ('retracted', 'closed') THEN status ELSE 'acknowledged' END,
        acknowledged_at = ?, acknowledged_by = ?, acknowledged_by_name = ?, acknowledgement_note = ?
      WHERE alert_id = ?`;
    const escalate = `UPDATE ${alerts} SET escalated = 1, escalated_at = ? WHERE alert_id = ?`;
    const retract = `UPDATE ${alerts} SET status = 'retracted', retracted_at = ?, retracted_by = ?, retraction_reason = ? WHERE alert_id = ?`;
    const close = `UPDATE ${alerts} SET status = CASE WHEN status = 'retracted' THEN status ELSE 'closed' END,
        closed_at = ?, reported_at = ?, late = ?, report_reference = ? WHERE alert_id = ?`;
    const updates = `SELECT updates, status FROM ${alerts} WHERE alert_id = ?`;
    // A rise in severity reopens an acknowledged alert (docs/safety-rules.md): status, escalation and open_since follow `reopen`.
    const update = `
      UPDATE ${alerts} SET value = ?, unit = ?, normalised_value = ?, normalised_unit = ?, grade = ?,
        severity = ?, message = ?, deadline = ?, updates = ?,
        escalated = CASE WHEN ? = 1 AND status = 'acknowledged' THEN 0 ELSE escalated END,
        open_since = CASE WHEN ? = 1 AND status = 'acknowledged' THEN ? ELSE open_since END,
        status = CASE WHEN ? = 1 AND status = 'acknowledged' THEN 'open' ELSE status END
      WHERE alert_id = ?`;

    for (const event of events) {
      switch (event.type) {
        case 'AlertRaised': {
          const d = event.data as AlertRaisedData;
          await tx.run(raise, [
            d.alertId,
            event.globalPosition,
            d.patientId,
            d.siteId,
            d.ruleId,
            d.triggeredBy,
            d.subject ?? null,
            d.value,
            d.unit,
            d.normalisedValue,
            d.normalisedUnit,
            d.threshold,
            d.thresholdUnit,
            d.grade,
            d.severity,
            d.message,
            d.raisedAt,
            d.raisedAt,
            event.metadata.occurredAt,
            d.deadline ?? null,
          ]);
          break;
        }
        case 'AlertAcknowledged': {
          const d = event.data as AlertAcknowledgedData;
          await tx.run(acknowledge, [d.acknowledgedAt, d.by.userId, d.by.name ?? null, d.note ?? null, d.alertId]);
          break;
        }
        case 'AlertEscalated': {
          const d = event.data as AlertEscalatedData;
          await tx.run(escalate, [d.escalatedAt, d.alertId]);
          break;
        }
        case 'AlertRetracted': {
          const d = event.data as AlertRetractedData;
          await tx.run(retract, [d.retractedAt, d.correctionEventId, d.reason, d.alertId]);
          break;
        }
        case 'AlertClosed': {
          const d = event.data as AlertClosedData;
          await tx.run(close, [d.closedAt, d.reportedAt, d.late ? 1 : 0, d.reference ?? null, d.alertId]);
          break;
        }
        case 'AlertUpdated': {
          const d = event.data as AlertUpdatedData;
          const row = await tx.get<{ updates: string }>(updates, [d.alertId]);
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
          const reopen = severityRose(d) ? 1 : 0;
          await tx.run(update, [
            c.value,
            c.unit,
            c.normalisedValue,
            c.normalisedUnit,
            c.grade,
            c.severity,
            c.message,
            c.deadline ?? null,
            JSON.stringify(history),
            reopen,
            reopen,
            d.updatedAt,
            reopen,
            d.alertId,
          ]);
          break;
        }
      }
    }
  }
}
