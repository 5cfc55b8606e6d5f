import type { DoseEnteredInErrorData, PatientEnrolledData, TreatmentStatusChangedData } from '@vigil/domain';
import { patientIdOf } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import type { Projection, ProjectionTransaction } from '../../engine/projection';

/** The patients' overview keeps the name its read model always had: `GET /projections` lists it as `safety`. */
export const PATIENT_OVERVIEW = 'safety';

/**
 * One row per enrolled patient: site, disease, enrolment, treatment status, doses given. What lists of
 * patients read (`GET /patients`, the console's patient list); a patient's full picture is folded from
 * their stream when asked for (GET /patients/:id/safety).
 */
export class PatientOverviewProjection implements Projection {
  readonly name = PATIENT_OVERVIEW;
  /** 4: an overview row per patient (3 was the safety process's folded state, now the alerting reactor's business). */
  readonly version = 4;
  readonly handles = ['PatientEnrolled', 'DoseAdministered', 'DoseEnteredInError', 'TreatmentStatusChanged'];

  async install(tx: ProjectionTransaction): Promise<void> {
    await tx.exec(`
      CREATE TABLE ${tx.table('patients')} (
        patient_id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL,
        disease TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        treatment_status TEXT NOT NULL DEFAULT 'on-treatment',
        treatment_status_since TEXT,
        doses_given INTEGER NOT NULL DEFAULT 0,
        position BIGINT NOT NULL
      );
      CREATE INDEX ${tx.table('patients')}_by_site ON ${tx.table('patients')} (site_id, patient_id);
    `);
  }

  async apply(events: StoredEvent[], tx: ProjectionTransaction): Promise<void> {
    const patients = tx.table('patients');
    const enrol = `INSERT INTO ${patients} (patient_id, site_id, disease, enrolled_at, position) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
    const doses = `UPDATE ${patients} SET doses_given = doses_given + ?, position = ? WHERE patient_id = ?`;
    // The status that stands is the one with the latest effective time (ties: the later recording): a status recorded late is no newer.
    const status = `
      UPDATE ${patients} SET treatment_status = ?, treatment_status_since = ?, position = ?
      WHERE patient_id = ? AND (treatment_status_since IS NULL OR treatment_status_since <= ?)`;
    const touch = `UPDATE ${patients} SET position = ? WHERE patient_id = ?`;
    for (const event of events) {
      const patientId = patientIdOf(event.streamId);
      if (patientId === undefined) continue;
      switch (event.type) {
        case 'PatientEnrolled': {
          const d = event.data as PatientEnrolledData;
          await tx.run(enrol, [d.patientId, d.siteId, d.disease, d.enrolledAt, event.globalPosition]);
          break;
        }
        case 'DoseAdministered':
          await tx.run(doses, [1, event.globalPosition, patientId]);
          break;
        case 'DoseEnteredInError':
          if ((event.data as DoseEnteredInErrorData).originalEventId) await tx.run(doses, [-1, event.globalPosition, patientId]);
          break;
        case 'TreatmentStatusChanged': {
          const d = event.data as TreatmentStatusChangedData;
          await tx.run(status, [d.status, d.effectiveAt, event.globalPosition, patientId, d.effectiveAt]);
          await tx.run(touch, [event.globalPosition, patientId]);
          break;
        }
      }
    }
  }
}
