import { AlertNotFoundError, ValidationError } from '../errors';
import type { AlertEvent } from '../events';
import { parseInstant, toIsoUtc } from '../instant';
import type { AlertCommand } from './alert-commands';
import { alertIdFor } from './alert-id';
import type { AlertState } from './alert-state';

/**
 * The alert decider, one alert per stream (`alert-<alertId>`). Repeating what already happened is not
 * an error and records nothing: a raise delivered twice, a second acknowledgement, an escalation of an
 * alert someone already acknowledged, a second retraction. Acting on an alert never raised is.
 */
export function decideAlert(command: AlertCommand, state: AlertState): AlertEvent[] {
  if (command.type === 'RaiseAlert') {
    const alert = command.alert;
    // The id must be the deterministic one, or the same result could raise two alerts (docs/safety-rules.md §7).
    const expectedId = alertIdFor(alert.triggeredBy, alert.ruleId);
    if (alert.alertId !== expectedId) {
      throw new ValidationError('alertId', `must be alertIdFor(triggeredBy, ruleId) = ${expectedId}`);
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
      // Only an open alert escalates, and only once.
      if (state.acknowledged || state.retracted || state.escalated) return [];
      const escalatedAt = instant('escalatedAt', command.escalatedAt);
      const afterMs = Date.parse(escalatedAt) - Date.parse(raised.raisedAt);
      return [{ type: 'AlertEscalated', version: 1, data: { alertId: raised.alertId, escalatedAt, afterMs, reason: text('reason', command.reason) } }];
    }
    case 'RetractAlert': {
      if (state.retracted) return [];
      return [
        {
          type: 'AlertRetracted',
          version: 1,
          data: {
            alertId: raised.alertId,
            correctionEventId: text('correctionEventId', command.correctionEventId),
            reason: text('reason', command.reason),
            retractedAt: instant('retractedAt', command.retractedAt),
          },
        },
      ];
    }
  }
}

const instant = (field: string, value: string): string => toIsoUtc(parseInstant(field, value));

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'must be a non-empty text');
  return value;
}
