import type { AlertAcknowledgedData, AlertEscalatedData, AlertRaisedData, AlertRetractedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { utc } from '../history/utc';

export type AlertStatus = 'open' | 'acknowledged' | 'retracted';

/** An alert of the patient as it stood at the replayed point in time. */
export interface AlertView extends AlertRaisedData {
  status: AlertStatus;
  /** When Vigil recorded the raising, UTC. */
  recordedAt: string;
  acknowledged?: { by: AlertAcknowledgedData['by']; at: string; note?: string };
  escalations: { at: string; reason: string }[];
  retracted?: { at: string; reason: string; correctionEventId: string };
}

/** Folds the events of one alert stream (already filtered to the point in time) into its view. */
export function alertViewOf(events: readonly StoredEvent[]): AlertView | null {
  const raised = events.find((event) => event.type === 'AlertRaised');
  if (!raised) return null;
  const view: AlertView = { ...(raised.data as AlertRaisedData), status: 'open', recordedAt: utc(raised.metadata.recordedAt), escalations: [] };
  for (const event of events) {
    switch (event.type) {
      case 'AlertAcknowledged': {
        const d = event.data as AlertAcknowledgedData;
        view.acknowledged = { by: d.by, at: utc(d.acknowledgedAt), ...(d.note ? { note: d.note } : {}) };
        if (view.status === 'open') view.status = 'acknowledged';
        break;
      }
      case 'AlertEscalated': {
        const d = event.data as AlertEscalatedData;
        view.escalations.push({ at: utc(d.escalatedAt), reason: d.reason });
        break;
      }
      case 'AlertRetracted': {
        const d = event.data as AlertRetractedData;
        view.retracted = { at: utc(d.retractedAt), reason: d.reason, correctionEventId: d.correctionEventId };
        view.status = 'retracted';
        break;
      }
    }
  }
  return view;
}
