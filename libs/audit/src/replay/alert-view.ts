import { severityRose, type AlertStatus } from '@vigil/domain';
import type { AlertAcknowledgedData, AlertClosedData, AlertEscalatedData, AlertRaisedData, AlertRetractedData, AlertUpdatedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { utc } from '../history/utc';

/** An alert of the patient as it stood at the replayed point in time. */
export interface AlertView extends AlertRaisedData {
  status: AlertStatus;
  /** When Vigil recorded the raising, UTC. */
  recordedAt: string;
  acknowledged?: { by: AlertAcknowledgedData['by']; at: string; note?: string };
  escalations: { at: string; reason: string }[];
  retracted?: { at: string; reason: string; correctionEventId: string };
  /** Corrections that changed what the alert shows, in order: the alert's figures are the last one's. */
  updates: { at: string; reason: string; correctionEventId: string; previous: AlertUpdatedData['previous'] }[];
  closed?: { at: string; reportedAt: string; late: boolean; reference?: string };
}

/** Folds the events of one alert stream (already filtered to the point in time) into its view. */
export function alertViewOf(events: readonly StoredEvent[]): AlertView | null {
  const raised = events.find((event) => event.type === 'AlertRaised');
  if (!raised) return null;
  const view: AlertView = { ...(raised.data as AlertRaisedData), status: 'open', recordedAt: utc(raised.metadata.recordedAt), escalations: [], updates: [] };
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
      case 'AlertUpdated': {
        const d = event.data as AlertUpdatedData;
        const { message, ...figures } = d.current;
        Object.assign(view, figures, { message });
        view.updates.push({ at: utc(d.updatedAt), reason: d.reason, correctionEventId: d.correctionEventId, previous: d.previous });
        if (severityRose(d) && view.status === 'acknowledged') view.status = 'open';
        break;
      }
      case 'AlertClosed': {
        const d = event.data as AlertClosedData;
        view.closed = { at: utc(d.closedAt), reportedAt: utc(d.reportedAt), late: d.late, ...(d.reference ? { reference: d.reference } : {}) };
        if (view.status !== 'retracted') view.status = 'closed';
        break;
      }
    }
  }
  return view;
}
