import type { AlertAcknowledgedData, AlertRaisedData } from '../events';

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
  /** Stored event id of the correction or void that removed the alert's cause. */
  correctionEventId: string;
  reason: string;
  retractedAt: string;
}

export type AlertCommand = RaiseAlert | AcknowledgeAlert | EscalateAlert | RetractAlert;
