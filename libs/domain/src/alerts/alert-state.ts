import type { AlertAcknowledgedData, AlertEscalatedData, AlertEvent, AlertRaisedData, AlertRetractedData } from '../events';

/**
 * none: never raised; open: raised, waiting for acknowledgement; escalated: open past its time;
 * acknowledged: a safety officer saw it; retracted: its cause was corrected away (it stays visible).
 */
export type AlertStatus = 'none' | 'open' | 'escalated' | 'acknowledged' | 'retracted';

export interface AlertState {
  status: AlertStatus;
  raised: AlertRaisedData | null;
  acknowledged: AlertAcknowledgedData | null;
  escalated: AlertEscalatedData | null;
  retracted: AlertRetractedData | null;
  version: number;
}

export const initialAlertState: AlertState = Object.freeze({
  status: 'none',
  raised: null,
  acknowledged: null,
  escalated: null,
  retracted: null,
  version: 0,
}) as AlertState;

export function evolveAlert(state: AlertState, event: AlertEvent): AlertState {
  const next = ((): AlertState => {
    switch (event.type) {
      case 'AlertRaised':
        return { ...state, raised: event.data };
      case 'AlertAcknowledged':
        return { ...state, acknowledged: event.data };
      case 'AlertEscalated':
        return { ...state, escalated: event.data };
      case 'AlertRetracted':
        return { ...state, retracted: event.data };
    }
  })();
  return { ...next, status: statusOf(next), version: state.version + 1 };
}

function statusOf(state: AlertState): AlertStatus {
  if (!state.raised) return 'none';
  if (state.retracted) return 'retracted';
  if (state.acknowledged) return 'acknowledged';
  if (state.escalated) return 'escalated';
  return 'open';
}

export const replayAlert = (events: Iterable<AlertEvent>, from: AlertState = initialAlertState): AlertState => {
  let state = from;
  for (const event of events) state = evolveAlert(state, event);
  return state;
};
