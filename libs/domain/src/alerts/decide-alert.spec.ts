import { AlertNotFoundError, ValidationError } from '../errors';
import type { AlertEvent, AlertRaisedData } from '../events';
import type { AlertCommand } from './alert-commands';
import { alertIdFor } from './alert-id';
import { escalationDueAt } from './escalation';
import { initialAlertState, replayAlert } from './alert-state';
import { decideAlert } from './decide-alert';

const raised: AlertRaisedData = {
  alertId: alertIdFor('lab-1', 'TR-PLT'),
  ruleId: 'TR-PLT',
  patientId: 'P-001',
  siteId: 'PSL',
  triggeredBy: 'lab-1',
  value: 79000,
  unit: '/mm3',
  normalisedValue: 79,
  normalisedUnit: '10*9/L',
  threshold: 80,
  thresholdUnit: '10*9/L',
  grade: 1,
  severity: 'warning',
  message: 'Platelets 79 10*9/L below 80 10*9/L (TR-PLT)',
  raisedAt: '2024-03-01T10:00:00.000Z',
};
const id = raised.alertId;
const raise: AlertCommand = { type: 'RaiseAlert', alert: raised };
const ack: AlertCommand = {
  type: 'AcknowledgeAlert',
  alertId: id,
  by: { userId: 'u-7', name: 'Dr Safety', role: 'safety_officer' },
  note: 'called the site',
  acknowledgedAt: '2024-03-01T11:00:00Z',
};
const escalate: AlertCommand = { type: 'EscalateAlert', alertId: id, escalatedAt: '2024-03-02T10:00:00Z', reason: 'unacknowledged after 24 h' };
const retract: AlertCommand = {
  type: 'RetractAlert',
  alertId: id,
  correctionEventId: 'corr-1',
  reason: 'value corrected to 179 000 /mm3',
  retractedAt: '2024-03-01T12:00:00Z',
};

/** Given these commands' events, when this command, then these events. */
function given(...commands: AlertCommand[]) {
  const events: AlertEvent[] = [];
  let state = initialAlertState;
  for (const c of commands) {
    const out = decideAlert(c, state);
    events.push(...out);
    state = replayAlert(out, state);
  }
  return state;
}

describe('decideAlert', () => {
  it('raises an alert once: a second delivery of the same raise records nothing', () => {
    expect(decideAlert(raise, initialAlertState)).toEqual([{ type: 'AlertRaised', version: 1, data: raised }]);
    expect(decideAlert(raise, given(raise))).toEqual([]);
  });

  it('refuses an alert id that is not alertIdFor(triggeredBy, ruleId)', () => {
    expect(() => decideAlert({ type: 'RaiseAlert', alert: { ...raised, alertId: 'random' } }, initialAlertState)).toThrow(ValidationError);
  });

  it('acknowledges an open alert with who, when and the note', () => {
    expect(decideAlert(ack, given(raise))).toEqual([
      {
        type: 'AlertAcknowledged',
        version: 1,
        data: {
          alertId: id,
          by: { userId: 'u-7', name: 'Dr Safety', role: 'safety_officer' },
          note: 'called the site',
          acknowledgedAt: '2024-03-01T11:00:00.000Z',
        },
      },
    ]);
    expect(given(raise, ack).status).toBe('acknowledged');
  });

  it('records nothing for a second acknowledgement', () => {
    expect(decideAlert({ ...ack, by: { userId: 'u-8', role: 'safety_officer' } } as AlertCommand, given(raise, ack))).toEqual([]);
  });

  it.each([ack, escalate, retract])('refuses to $type an alert never raised', (command) => {
    expect(() => decideAlert(command, initialAlertState)).toThrow(AlertNotFoundError);
  });

  it('escalates an open, unacknowledged alert once, saying how long it waited', () => {
    expect(decideAlert(escalate, given(raise))).toEqual([
      {
        type: 'AlertEscalated',
        version: 1,
        data: { alertId: id, escalatedAt: '2024-03-02T10:00:00.000Z', afterMs: 86_400_000, reason: 'unacknowledged after 24 h' },
      },
    ]);
    expect(given(raise, escalate)).toMatchObject({ status: 'open', escalated: { reason: 'unacknowledged after 24 h' } });
    expect(decideAlert(escalate, given(raise, escalate))).toEqual([]);
  });

  it('does not escalate an acknowledged or retracted alert', () => {
    expect(decideAlert(escalate, given(raise, ack))).toEqual([]);
    expect(decideAlert(escalate, given(raise, retract))).toEqual([]);
  });

  it('still takes an acknowledgement after escalation', () => {
    expect(given(raise, escalate, ack).status).toBe('acknowledged');
  });

  it('retracts once, naming the correction, and keeps the alert visible as retracted', () => {
    const state = given(raise, retract);
    expect(state.status).toBe('retracted');
    expect(state.raised).toEqual(raised);
    expect(state.retracted).toEqual({
      alertId: id,
      correctionEventId: 'corr-1',
      reason: 'value corrected to 179 000 /mm3',
      retractedAt: '2024-03-01T12:00:00.000Z',
    });
    expect(decideAlert(retract, state)).toEqual([]);
  });

  it('refuses a retraction without a reason', () => {
    expect(() => decideAlert({ ...retract, reason: '' } as AlertCommand, given(raise))).toThrow(ValidationError);
  });
});

describe('updates and closures (issue 11)', () => {
  const figures = {
    value: 15000,
    unit: '/mm3',
    normalisedValue: 15,
    normalisedUnit: '10*9/L',
    grade: 4,
    severity: 'critical' as const,
    message: 'Platelets 15',
  };
  const update: AlertCommand = {
    type: 'UpdateAlert',
    alertId: id,
    figures,
    correctionEventId: 'corr-2',
    reason: 'lab re-read',
    updatedAt: '2024-03-01T13:00:00Z',
  };
  const close: AlertCommand = {
    type: 'CloseAlert',
    alertId: id,
    reportedAt: '2024-03-02T09:00:00Z',
    late: false,
    byEventId: 'report-1',
    closedAt: '2024-03-02T09:00:01Z',
  };

  it('updates what the alert shows, naming the previous figures and the correction, once', () => {
    const [event] = decideAlert(update, given(raise));
    expect(event).toMatchObject({
      type: 'AlertUpdated',
      data: {
        alertId: id,
        patientId: 'P-001',
        ruleId: 'TR-PLT',
        correctionEventId: 'corr-2',
        previous: { value: 79000, grade: 1, severity: 'warning' },
        current: figures,
      },
    });
    expect(given(raise, update).figures).toEqual(figures);
    expect(decideAlert(update, given(raise, update))).toEqual([]);
  });

  it('records nothing for an update replayed after later ones: each event updates an alert once', () => {
    const later: AlertCommand = { ...update, figures: { ...figures, value: 20000, normalisedValue: 20, grade: 4 }, correctionEventId: 'corr-3' };
    expect(decideAlert(update, given(raise, update, later))).toEqual([]);
  });

  it('opens an acknowledged alert again when its severity rises, and it may be acknowledged again', () => {
    const state = given(raise, ack, update);
    expect(state.status).toBe('open');
    expect(decideAlert(ack, state)).toHaveLength(1);
    const lower = { ...figures, severity: 'warning' as const, grade: 2 };
    expect(given(raise, ack, { ...update, figures: lower }).status).toBe('acknowledged');
  });

  it('closes once when the report is recorded, and a closed alert is neither retracted nor updated', () => {
    const closed = given(raise, close);
    expect(closed.status).toBe('closed');
    expect(closed.closed).toEqual({
      alertId: id,
      closedAt: '2024-03-02T09:00:01.000Z',
      reportedAt: '2024-03-02T09:00:00.000Z',
      late: false,
      byEventId: 'report-1',
    });
    expect(decideAlert(close, closed)).toEqual([]);
    expect(decideAlert(retract, closed)).toEqual([]);
    expect(decideAlert(update, closed)).toEqual([]);
  });
});

describe('escalationDueAt', () => {
  const open = { ruleId: 'TR-PLT', status: 'open', escalated: false, openSince: '2024-03-01T10:00:00.000Z' };

  it('is due 24 hours after the alert became open, and only while open and not yet escalated', () => {
    expect(escalationDueAt(open)).toBe(Date.parse('2024-03-02T10:00:00.000Z'));
    expect(escalationDueAt({ ...open, status: 'acknowledged' })).toBeNull();
    expect(escalationDueAt({ ...open, escalated: true })).toBeNull();
  });

  it('reminds of an SAE report 6 hours before its deadline, acknowledged or not, until the report closes it (issue 11, defect 6)', () => {
    const sae = { ...open, ruleId: 'SAE-24H', deadline: '2024-03-02T10:00:00.000Z' };
    expect(escalationDueAt(sae)).toBe(Date.parse('2024-03-02T04:00:00.000Z'));
    expect(escalationDueAt({ ...sae, status: 'acknowledged' })).toBe(Date.parse('2024-03-02T04:00:00.000Z'));
    expect(escalationDueAt({ ...sae, status: 'closed' })).toBeNull();
    expect(escalationDueAt(sae, { afterMs: 86_400_000, remindBeforeMs: 3_600_000 })).toBe(Date.parse('2024-03-02T09:00:00.000Z'));
  });
});
