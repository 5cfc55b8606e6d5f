import type { AdverseEventReportedData, AlertRaisedData, LabResultRecordedData } from '../events';
import { parseInstant, toIsoUtc } from '../instant';
import type { PatientState } from '../patient/patient-state';
import type { RuleHit } from '../safety/assess-lab-result';
import { saeReportingDeadline } from '../safety/sae-clock';
import { alertIdFor } from './alert-id';
import type { AlertState } from './alert-state';

/** docs/safety-rules.md §7: panic lab values are acknowledged within 24 hours; past that, the alert escalates. */
export const ALERT_ACKNOWLEDGEMENT_MS = 24 * 3_600_000;

/** The alert a lab result's rule hit raises; acknowledge-by deadline 24 hours after raising. */
export function labAlert(args: {
  state: PatientState;
  lab: { eventId: string; data: LabResultRecordedData };
  hit: RuleHit;
  raisedAt: string;
}): AlertRaisedData {
  const { state, lab, hit } = args;
  const raisedAt = toIsoUtc(parseInstant('raisedAt', args.raisedAt));
  return {
    alertId: alertIdFor(lab.eventId, hit.ruleId),
    ruleId: hit.ruleId,
    patientId: lab.data.patientId,
    siteId: state.siteId ?? '',
    triggeredBy: lab.eventId,
    value: lab.data.value,
    unit: lab.data.unit,
    normalisedValue: lab.data.normalised.value,
    normalisedUnit: lab.data.normalised.unit,
    threshold: hit.threshold,
    thresholdUnit: hit.thresholdUnit,
    grade: hit.grade ?? null,
    severity: hit.severity,
    message: hit.message,
    raisedAt,
    deadline: new Date(Date.parse(raisedAt) + ALERT_ACKNOWLEDGEMENT_MS).toISOString(),
  };
}

/**
 * The alert a serious adverse event raises (SAE-24H, docs/safety-rules.md §5), its deadline the 24-hour
 * reporting clock from `knownAt` (the recording time of the event that made it serious). Null when not serious.
 */
export function seriousAdverseEventAlert(args: {
  state: PatientState;
  ae: { eventId: string; data: AdverseEventReportedData };
  knownAt: string;
  raisedAt: string;
}): AlertRaisedData | null {
  const { state, ae } = args;
  const clock = saeReportingDeadline(ae.data, args.knownAt);
  if (!clock) return null;
  const criteria = (ae.data.seriousnessCriteria ?? []).join(', ');
  return {
    alertId: alertIdFor(ae.eventId, clock.ruleId),
    ruleId: clock.ruleId,
    patientId: ae.data.patientId,
    siteId: state.siteId ?? '',
    triggeredBy: ae.eventId,
    value: null,
    unit: null,
    normalisedValue: null,
    normalisedUnit: null,
    threshold: null,
    thresholdUnit: null,
    grade: ae.data.grade,
    severity: 'critical',
    message: `Serious adverse event "${ae.data.term}" (grade ${ae.data.grade}; ${criteria}): report to the sponsor by ${clock.deadline} (SAE-24H)`,
    raisedAt: toIsoUtc(parseInstant('raisedAt', args.raisedAt)),
    deadline: clock.deadline,
  };
}

/** Whether an alert has waited unacknowledged long enough to escalate (once). */
export function isEscalationDue(state: AlertState, now: Date, afterMs: number = ALERT_ACKNOWLEDGEMENT_MS): boolean {
  if (!state.raised || state.acknowledged || state.retracted || state.escalated) return false;
  return now.getTime() - Date.parse(state.raised.raisedAt) >= afterMs;
}
