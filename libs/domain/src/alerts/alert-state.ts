import type {
  AlertAcknowledgedData,
  AlertClosedData,
  AlertEscalatedData,
  AlertEvent,
  AlertFigures,
  AlertRaisedData,
  AlertRetractedData,
  AlertSeverity,
  AlertUpdatedData,
} from '../events';

/**
 * Where an alert stands, defined once (the alert list and the API show these):
 * open: raised, waiting for acknowledgement (an open alert past its time is also `escalated`, a flag);
 * acknowledged: a safety officer saw it; retracted: its cause was corrected away (it stays visible);
 * closed: the report its clock asked for was recorded (SAE to the sponsor, SUSAR to the regulator).
 * An acknowledged alert whose severity rises is open again.
 */
export type AlertStatus = 'open' | 'acknowledged' | 'retracted' | 'closed';
export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'retracted', 'closed'];
/** The statuses of an alert not yet resolved: neither retracted nor closed by its report. */
export const UNRESOLVED_ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged'];

export interface AlertState {
  /** 'none' before the alert was raised. */
  status: AlertStatus | 'none';
  raised: AlertRaisedData | null;
  /** What the alert shows now: the raise's figures, as updates changed them. */
  figures: AlertFigures | null;
  /** The acknowledgement that stands (cleared when the severity rises after it). */
  acknowledged: AlertAcknowledgedData | null;
  /** The escalation that stands (cleared with the acknowledgement when the alert opens again). */
  escalated: AlertEscalatedData | null;
  retracted: AlertRetractedData | null;
  closed: AlertClosedData | null;
  updates: AlertUpdatedData[];
  /** When the alert last became open: raised, or opened again by a rise in severity. */
  openSince: string | null;
  version: number;
}

export const initialAlertState: AlertState = Object.freeze({
  status: 'none',
  raised: null,
  figures: null,
  acknowledged: null,
  escalated: null,
  retracted: null,
  closed: null,
  updates: [],
  openSince: null,
  version: 0,
}) as AlertState;

const SEVERITY_RANK: Record<AlertSeverity, number> = { warning: 1, critical: 2 };
export const severityRose = (update: Pick<AlertUpdatedData, 'previous' | 'current'>): boolean =>
  SEVERITY_RANK[update.current.severity] > SEVERITY_RANK[update.previous.severity];

export const figuresOf = (raised: AlertRaisedData): AlertFigures => ({
  value: raised.value,
  unit: raised.unit,
  normalisedValue: raised.normalisedValue,
  normalisedUnit: raised.normalisedUnit,
  grade: raised.grade,
  severity: raised.severity,
  message: raised.message,
  ...(raised.deadline ? { deadline: raised.deadline } : {}),
});

export function evolveAlert(state: AlertState, event: AlertEvent): AlertState {
  const next = ((): AlertState => {
    switch (event.type) {
      case 'AlertRaised':
        return { ...state, raised: event.data, figures: figuresOf(event.data), openSince: event.data.raisedAt };
      case 'AlertAcknowledged':
        return { ...state, acknowledged: event.data };
      case 'AlertEscalated':
        return { ...state, escalated: event.data };
      case 'AlertRetracted':
        return { ...state, retracted: event.data };
      case 'AlertClosed':
        return { ...state, closed: event.data };
      case 'AlertUpdated': {
        const reopened = severityRose(event.data) && state.acknowledged !== null;
        return {
          ...state,
          figures: event.data.current,
          updates: [...state.updates, event.data],
          ...(reopened ? { acknowledged: null, escalated: null, openSince: event.data.updatedAt } : {}),
        };
      }
    }
  })();
  return { ...next, status: statusOf(next), version: state.version + 1 };
}

function statusOf(state: AlertState): AlertState['status'] {
  if (!state.raised) return 'none';
  if (state.retracted) return 'retracted';
  if (state.closed) return 'closed';
  if (state.acknowledged) return 'acknowledged';
  return 'open';
}

export const replayAlert = (events: Iterable<AlertEvent>, from: AlertState = initialAlertState): AlertState => {
  let state = from;
  for (const event of events) state = evolveAlert(state, event);
  return state;
};
