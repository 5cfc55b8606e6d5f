import { AlertNotFoundError, ValidationError } from '../errors';
import type { AlertEvent, AlertFigures } from '../events';
import { parseInstant, toIsoUtc } from '../instant';
import { sameValues } from '../patient/same-values';
import type { AlertCommand } from './alert-commands';
import { alertIdFor } from './alert-id';
import type { AlertState } from './alert-state';
import { isReportingClockRule } from './escalation';

/**
 * The alert decider, one alert per stream (`alert-<alertId>`). Repeating what already happened is not
 * an error and records nothing: a raise delivered twice, a second acknowledgement, an escalation of an
 * alert someone already acknowledged, a second retraction, an update to what the alert already shows,
 * a second closure. Acting on an alert never raised is an error.
 */
export function decideAlert(command: AlertCommand, state: AlertState): AlertEvent[] {
  if (command.type === 'RaiseAlert') {
    const alert = command.alert;
    // The id must be the deterministic one, or the same result could raise two alerts (docs/safety-rules.md §7).
    const expected = [alertIdFor(alert.triggeredBy, alert.ruleId), ...(alert.subject ? [alertIdFor(alert.triggeredBy, alert.ruleId, alert.subject)] : [])];
    if (!expected.includes(alert.alertId)) {
      throw new ValidationError('alertId', `must be alertIdFor(triggeredBy, ruleId[, subject]) = ${expected.join(' or ')}`);
    }
    if (state.raised) {
      if (state.raised.alertId !== alert.alertId) throw new ValidationError('alertId', 'another alert lives in this stream');
      return [];
    }
    return [{ type: 'AlertRaised', version: 1, data: { ...alert, raisedAt: instant('raisedAt', alert.raisedAt) } }];
  }
  const raised = state.raised;
  if (!raised || raised.alertId !== command.alertId) throw new AlertNotFoundError(command.alertId);
  switch (command.type) {
    case 'AcknowledgeAlert': {
      if (state.acknowledged) return [];
      if (!command.by || typeof command.by.userId !== 'string' || command.by.userId === '' || typeof command.by.role !== 'string') {
        throw new ValidationError('by', 'must name the acknowledging user and role');
      }
      const data = {
        alertId: raised.alertId,
        by: { ...command.by },
        acknowledgedAt: instant('acknowledgedAt', command.acknowledgedAt),
        ...(command.note !== undefined && command.note.trim() !== '' ? { note: command.note } : {}),
      };
      return [{ type: 'AlertAcknowledged', version: 1, data }];
    }
    case 'EscalateAlert': {
      // An open alert escalates once while it stays open; a reporting clock until its report closes it.
      const clock = isReportingClockRule(raised.ruleId) && state.status === 'acknowledged';
      if ((state.status !== 'open' && !clock) || state.escalated) return [];
      const escalatedAt = instant('escalatedAt', command.escalatedAt);
      const afterMs = Date.parse(escalatedAt) - Date.parse(state.openSince ?? raised.raisedAt);
      return [{ type: 'AlertEscalated', version: 1, data: { alertId: raised.alertId, escalatedAt, afterMs, reason: text('reason', command.reason) } }];
    }
    case 'RetractAlert': {
      // A closed alert's report was made: it stays closed, whatever becomes of its cause.
      if (state.retracted || state.closed) return [];
      const data = {
        alertId: raised.alertId,
        correctionEventId: text('correctionEventId', command.correctionEventId),
        reason: text('reason', command.reason),
        retractedAt: instant('retractedAt', command.retractedAt),
      };
      return [{ type: 'AlertRetracted', version: 1, data }];
    }
    case 'UpdateAlert': {
      // One event updates an alert once: replaying it finds its update there, whatever came after it.
      if (state.retracted || state.closed || state.updates.some((update) => update.correctionEventId === command.correctionEventId)) return [];
      const previous = state.figures as AlertFigures;
      if (!figuresChanged(previous, command.figures)) return [];
      const data = {
        alertId: raised.alertId,
        patientId: raised.patientId,
        ruleId: raised.ruleId,
        previous,
        current: command.figures,
        correctionEventId: text('correctionEventId', command.correctionEventId),
        reason: text('reason', command.reason),
        updatedAt: instant('updatedAt', command.updatedAt),
      };
      return [{ type: 'AlertUpdated', version: 1, data }];
    }
    case 'CloseAlert': {
      if (state.closed || state.retracted) return [];
      const data = {
        alertId: raised.alertId,
        closedAt: instant('closedAt', command.closedAt),
        reportedAt: instant('reportedAt', command.reportedAt),
        late: command.late,
        ...(command.reference ? { reference: command.reference } : {}),
        byEventId: text('byEventId', command.byEventId),
      };
      return [{ type: 'AlertClosed', version: 1, data }];
    }
  }
}

/** Whether an update changes what an officer reads: the value, its unit, the grade, the severity or the deadline. */
export function figuresChanged(before: AlertFigures, after: AlertFigures): boolean {
  return (
    before.value !== after.value ||
    before.unit !== after.unit ||
    before.normalisedValue !== after.normalisedValue ||
    before.normalisedUnit !== after.normalisedUnit ||
    before.grade !== after.grade ||
    before.severity !== after.severity ||
    !sameValues(before.deadline, after.deadline)
  );
}

const instant = (field: string, value: string): string => toIsoUtc(parseInstant(field, value));

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty text');
  return value;
}
