import type { AlertEvent, AlertFigures, AlertRaisedData } from '../events';
import { recordIdOf, type AlertCall, type Judgement, type Scope } from '../safety/judge';
import type { AlertCommand } from './alert-commands';
import { alertIdFor } from './alert-id';
import { figuresOf, severityRose, type AlertStatus } from './alert-state';
import { figuresChanged } from './decide-alert';

/** An alert standing on a patient (raised, not retracted), as the alerting reactor keeps it between events. */
export interface StandingAlert {
  alertId: string;
  ruleId: string;
  subject: string;
  figures: AlertFigures;
  status: Exclude<AlertStatus, 'retracted'>;
}

/** A patient's standing alerts, keyed by `standingKey(ruleId, subject)`: plain data, persisted as JSON. */
export type StandingAlerts = Readonly<Record<string, StandingAlert>>;

export const standingKey = (ruleId: string, subject: string): string => `${ruleId} ${subject}`;

/**
 * docs/safety-rules.md §8: a dose recorded while one of these is open raises DOSE-DURING-CRITICAL. A
 * DOSE-DURING-CRITICAL alert is not one of them: it reports a deviation, not the patient's condition, and
 * counting it would make every later dose a deviation too until it is acknowledged.
 */
export const hasOpenCritical = (standing: StandingAlerts): boolean =>
  Object.values(standing).some((alert) => alert.status === 'open' && alert.figures.severity === 'critical' && alert.ruleId !== 'DOSE-DURING-CRITICAL');

/** What the reconciliation is caused by. */
export interface ReconcileCause {
  /** The stored id of the event judged; for the timer, a key naming the patient's stream at its version. */
  triggeredBy: string;
  /** The record the event is about (its own, or the one it corrects, voids or reports on). */
  recordId?: string;
  /** Why, for retractions and updates: the correction's reason, else the event's type and id. */
  reason: string;
}

export interface Reconciliation {
  /** What to carry out, in order, each on its own alert stream. */
  commands: AlertCommand[];
  /** The standing alerts once they are carried out. */
  standing: StandingAlerts;
}

const inScope = (scope: Scope, alert: StandingAlert): boolean =>
  scope.rules.includes(alert.ruleId as Scope['rules'][number]) && (scope.prefix ? alert.subject.startsWith(scope.subject) : alert.subject === scope.subject);

/**
 * Brings the standing alerts in line with what the rules call for on the subjects judged: a call with no
 * standing alert raises one (its id from the event judged, and the subject when the event is about another
 * record), a call whose figures changed updates it, a closed clock closes it, and a standing alert in scope
 * that nothing calls for any more is retracted (a closed one stays closed). Pure: `now` is the time stamp
 * of what it records.
 */
export function reconcile(
  standing: StandingAlerts,
  judgement: Judgement,
  cause: ReconcileCause,
  patient: { patientId: string; siteId: string },
  now: string,
): Reconciliation {
  const next: Record<string, StandingAlert> = { ...standing };
  const commands: AlertCommand[] = [];
  const called = new Set(judgement.calls.map((call) => standingKey(call.ruleId, call.subject)));
  for (const [key, alert] of Object.entries(standing)) {
    if (called.has(key) || alert.status === 'closed' || !judgement.scopes.some((scope) => inScope(scope, alert))) continue;
    commands.push({ type: 'RetractAlert', alertId: alert.alertId, correctionEventId: cause.triggeredBy, reason: cause.reason, retractedAt: now });
    delete next[key];
  }
  for (const call of judgement.calls) {
    const key = standingKey(call.ruleId, call.subject);
    const alert = next[key];
    if (!alert) {
      const raised = raisedFor(call, cause, patient, now);
      commands.push({ type: 'RaiseAlert', alert: raised });
      next[key] = { alertId: raised.alertId, ruleId: call.ruleId, subject: call.subject, figures: figuresOf(raised), status: 'open' };
      if (call.closedBy) next[key] = close(next[key], call, commands, now);
      continue;
    }
    if (alert.status === 'closed') continue;
    let after = alert;
    if (figuresChanged(alert.figures, call.figures)) {
      commands.push({
        type: 'UpdateAlert',
        alertId: alert.alertId,
        figures: call.figures,
        correctionEventId: cause.triggeredBy,
        reason: cause.reason,
        updatedAt: now,
      });
      const reopened = severityRose({ previous: alert.figures, current: call.figures }) && alert.status === 'acknowledged';
      after = { ...alert, figures: call.figures, status: reopened ? 'open' : alert.status };
    }
    if (call.closedBy) after = close(after, call, commands, now);
    next[key] = after;
  }
  return { commands, standing: next };
}

function close(alert: StandingAlert, call: AlertCall, commands: AlertCommand[], now: string): StandingAlert {
  const report = call.closedBy as NonNullable<AlertCall['closedBy']>;
  commands.push({
    type: 'CloseAlert',
    alertId: alert.alertId,
    reportedAt: report.reportedAt,
    late: report.late,
    ...(report.reference ? { reference: report.reference } : {}),
    byEventId: report.eventId,
    closedAt: now,
  });
  return { ...alert, status: 'closed' };
}

function raisedFor(call: AlertCall, cause: ReconcileCause, patient: { patientId: string; siteId: string }, now: string): AlertRaisedData {
  // One event raising a rule on several subjects needs the subject in the id; the event's own record does not.
  const ownRecord = cause.recordId !== undefined && recordIdOf(call.subject) === cause.recordId;
  return {
    alertId: alertIdFor(cause.triggeredBy, call.ruleId, ownRecord ? undefined : call.subject),
    ruleId: call.ruleId,
    patientId: patient.patientId,
    siteId: patient.siteId,
    triggeredBy: cause.triggeredBy,
    subject: call.subject,
    value: call.figures.value,
    unit: call.figures.unit,
    normalisedValue: call.figures.normalisedValue,
    normalisedUnit: call.figures.normalisedUnit,
    threshold: call.threshold,
    thresholdUnit: call.thresholdUnit,
    grade: call.figures.grade,
    severity: call.figures.severity,
    message: call.figures.message,
    raisedAt: now,
    ...(call.figures.deadline ? { deadline: call.figures.deadline } : {}),
  };
}

/**
 * An alert event from the log, taken into the standing alerts (the reactor follows alert streams too):
 * acknowledgements, escalations, retractions, closures, updates, and raises it did not make itself (the
 * timer's). Idempotent: the reactor's own decisions come back this way and change nothing twice.
 */
export function standingAfter(standing: StandingAlerts, event: AlertEvent): StandingAlerts {
  if (event.type === 'AlertRaised') {
    const d = event.data;
    if (!d.subject) return standing;
    const key = standingKey(d.ruleId, d.subject);
    if (standing[key]) return standing;
    return { ...standing, [key]: { alertId: d.alertId, ruleId: d.ruleId, subject: d.subject, figures: figuresOf(d), status: 'open' } };
  }
  const entry = Object.entries(standing).find(([, alert]) => alert.alertId === event.data.alertId);
  if (!entry) return standing;
  const [key, alert] = entry;
  switch (event.type) {
    case 'AlertAcknowledged':
      return alert.status === 'open' ? { ...standing, [key]: { ...alert, status: 'acknowledged' } } : standing;
    case 'AlertRetracted': {
      const next = { ...standing };
      delete next[key];
      return next;
    }
    case 'AlertClosed':
      return { ...standing, [key]: { ...alert, status: 'closed' } };
    case 'AlertUpdated': {
      const reopened = severityRose(event.data) && alert.status === 'acknowledged';
      return { ...standing, [key]: { ...alert, figures: event.data.current, status: reopened ? 'open' : alert.status } };
    }
    case 'AlertEscalated':
      return standing;
  }
}
