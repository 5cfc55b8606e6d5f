import {
  alertIdFor,
  assessDose,
  assessLabResult,
  evolve,
  labAlert,
  seriousAdverseEventAlert,
  TRANSREG,
  type AdverseEventReportedData,
  type AlertRaisedData,
  type DoseAdministeredData,
  type DoseDeviation,
  type LabResultRecordedData,
  type PatientEvent,
  type TrialProtocol,
} from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import type { PatientWatch } from './patient-watch';
import type { AlertCause, SafetyAction } from './safety-actions';

/**
 * One patient event through the safety rules: the new watch, and the alerts to raise or retract.
 * Pure (the clock is given). The rules live in the domain (assessLabResult, assessDose,
 * seriousAdverseEventAlert); this maps their verdicts onto alerts, per clinical record:
 * - a recorded lab result, dose or adverse event raises one alert per rule it crosses, with id
 *   `alertIdFor(eventId, ruleId)` (docs/safety-rules.md §7: one result, one rule, one alert);
 * - a correction re-assesses the record with its new values: a standing alert whose rule is no longer
 *   crossed is retracted naming the correction, a rule newly crossed raises an alert keyed by the
 *   correction's event id, a rule still crossed keeps its alert;
 * - a record entered in error retracts every alert standing on it.
 */
export function watchPatient(
  watch: PatientWatch,
  stored: StoredEvent,
  now: Date,
  protocol: TrialProtocol = TRANSREG,
): { watch: PatientWatch; actions: SafetyAction[] } {
  const event = { type: stored.type, version: stored.schemaVersion, data: stored.data } as PatientEvent;
  const next: PatientWatch = { state: evolve(watch.state, { eventId: stored.eventId, event }), standing: watch.standing };
  const judgement = new Judgement(next, stored, now, protocol);

  switch (event.type) {
    case 'LabResultRecorded':
      judgement.reconcile(stored.eventId, judgement.labAlerts(stored.eventId, event.data));
      break;
    case 'LabResultCorrected':
      judgement.reconcile(event.data.originalEventId, judgement.labAlerts(event.data.originalEventId, event.data.newValues), event.data.reason);
      break;
    case 'DoseAdministered':
      judgement.reconcile(stored.eventId, judgement.doseAlerts(stored.eventId, event.data));
      break;
    case 'DoseCorrected':
      judgement.reconcile(event.data.originalEventId, judgement.doseAlerts(event.data.originalEventId, event.data.newValues), event.data.reason);
      break;
    case 'AdverseEventReported':
      judgement.reconcile(stored.eventId, judgement.seriousAdverseEventAlerts(event.data));
      break;
    case 'AdverseEventCorrected':
      judgement.reconcile(event.data.originalEventId, judgement.seriousAdverseEventAlerts(event.data.newValues), event.data.reason);
      break;
    case 'LabResultEnteredInError':
    case 'DoseEnteredInError':
    case 'AdverseEventEnteredInError':
      judgement.reconcile(event.data.originalEventId, [], event.data.reason);
      break;
    case 'PatientEnrolled':
      break;
  }
  return { watch: next, actions: judgement.actions };
}

/** The judgement of one event: alerts are keyed by the event at hand (`stored`), the record's id names what is judged. */
class Judgement {
  readonly actions: SafetyAction[] = [];
  private readonly raisedAt: string;

  constructor(
    private readonly watch: PatientWatch,
    private readonly stored: StoredEvent,
    now: Date,
    private readonly protocol: TrialProtocol,
  ) {
    this.raisedAt = now.toISOString();
  }

  /** docs/safety-rules.md §1 thresholds; the record keeps its own id for the baseline, the alert takes the event's. */
  labAlerts(recordEventId: string, lab: LabResultRecordedData): AlertRaisedData[] {
    const { ruleHits } = assessLabResult(this.watch.state, { eventId: recordEventId, data: lab });
    return ruleHits.map((hit) => labAlert({ state: this.watch.state, lab: { eventId: this.stored.eventId, data: lab }, hit, raisedAt: this.raisedAt }));
  }

  /** docs/protocol.md: a dose off the protocol is recorded, and flagged as a warning. */
  doseAlerts(recordEventId: string, dose: DoseAdministeredData): AlertRaisedData[] {
    const deviations = assessDose(this.watch.state, { eventId: recordEventId, data: dose }, this.protocol);
    const byRule = new Map<string, DoseDeviation>();
    for (const deviation of deviations) if (!byRule.has(deviation.ruleId)) byRule.set(deviation.ruleId, deviation);
    return [...byRule.values()].map((deviation) => this.doseAlert(dose, deviation));
  }

  /** docs/safety-rules.md §5: the 24-hour SAE clock runs from when Vigil learnt the event was serious. */
  seriousAdverseEventAlerts(ae: AdverseEventReportedData): AlertRaisedData[] {
    const alert = seriousAdverseEventAlert({
      state: this.watch.state,
      ae: { eventId: this.stored.eventId, data: ae },
      knownAt: this.stored.metadata.recordedAt,
      raisedAt: this.raisedAt,
    });
    return alert ? [alert] : [];
  }

  /**
   * Brings the alerts standing on a record in line with the alerts its current values call for.
   * On a first recording nothing stands yet, so every alert is raised.
   */
  reconcile(recordEventId: string, called: AlertRaisedData[], reason = ''): void {
    const standing = { ...(this.watch.standing[recordEventId] ?? {}) };
    const calledRules = new Set(called.map((alert) => alert.ruleId));
    for (const [ruleId, alertId] of Object.entries(standing)) {
      if (calledRules.has(ruleId)) continue;
      this.actions.push({
        kind: 'retract',
        alertId,
        correctionEventId: this.stored.eventId,
        reason: reason.trim() || `${this.stored.type} ${this.stored.eventId}`,
        cause: this.cause(this.stored.metadata.occurredAt),
      });
      delete standing[ruleId];
    }
    for (const alert of called) {
      if (standing[alert.ruleId]) continue;
      this.actions.push({ kind: 'raise', alertId: alert.alertId, data: alert, cause: this.cause(this.occurredAt()) });
      standing[alert.ruleId] = alert.alertId;
    }
    const all = { ...this.watch.standing };
    if (Object.keys(standing).length > 0) all[recordEventId] = standing;
    else delete all[recordEventId];
    this.watch.standing = all;
  }

  private doseAlert(dose: DoseAdministeredData, deviation: DoseDeviation): AlertRaisedData {
    const alertId = alertIdFor(this.stored.eventId, deviation.ruleId);
    return {
      alertId,
      ruleId: deviation.ruleId,
      patientId: dose.patientId,
      siteId: this.watch.state.siteId ?? '',
      triggeredBy: this.stored.eventId,
      value: dose.dose,
      unit: dose.unit,
      normalisedValue: null,
      normalisedUnit: null,
      threshold: null,
      thresholdUnit: null,
      grade: null,
      severity: 'warning',
      message: deviation.expected ? `${deviation.message} (expected ${deviation.expected})` : deviation.message,
      raisedAt: this.raisedAt,
    };
  }

  /** The clinical time of the fact judged: collection, administration or onset (the corrected one for a correction). */
  private occurredAt(): string {
    const data = this.stored.data as { newValues?: Record<string, unknown> } & Record<string, unknown>;
    const values = data.newValues ?? data;
    for (const field of ['collectedAt', 'administeredAt', 'onsetAt']) if (typeof values[field] === 'string') return values[field] as string;
    return this.stored.metadata.occurredAt;
  }

  private cause(occurredAt: string): AlertCause {
    return {
      siteId: this.watch.state.siteId ?? this.stored.metadata.siteId ?? null,
      occurredAt,
      correlationId: this.stored.metadata.correlationId,
      causationId: this.stored.eventId,
    };
  }
}
