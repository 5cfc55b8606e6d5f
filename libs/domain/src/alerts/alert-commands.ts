import type { AlertAcknowledgedData, AlertFigures, AlertRaisedData } from '../events';

export interface RaiseAlert {
  type: 'RaiseAlert';
  alert: AlertRaisedData;
}

export interface AcknowledgeAlert {
  type: 'AcknowledgeAlert';
  alertId: string;
  by: AlertAcknowledgedData['by'];
  note?: string;
  acknowledgedAt: string;
}

export interface EscalateAlert {
  type: 'EscalateAlert';
  alertId: string;
  escalatedAt: string;
  reason: string;
}

export interface RetractAlert {
  type: 'RetractAlert';
  alertId: string;
  /** Stored event id of the correction or void (or other event) that removed the alert's cause. */
  correctionEventId: string;
  reason: string;
  retractedAt: string;
}

export interface UpdateAlert {
  type: 'UpdateAlert';
  alertId: string;
  figures: AlertFigures;
  /** Stored event id of the event that changed what the alert shows. */
  correctionEventId: string;
  reason: string;
  updatedAt: string;
}

export interface CloseAlert {
  type: 'CloseAlert';
  alertId: string;
  reportedAt: string;
  late: boolean;
  reference?: string;
  /** Stored event id of the report in the patient stream. */
  byEventId: string;
  closedAt: string;
}

export type AlertCommand = RaiseAlert | AcknowledgeAlert | EscalateAlert | RetractAlert | UpdateAlert | CloseAlert;
