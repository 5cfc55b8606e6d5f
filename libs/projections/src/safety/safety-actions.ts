import type { AlertRaisedData } from '@vigil/domain';

/** Envelope facts of an alert event the safety process appends (the rest is fixed: safety-process.ts). */
export interface AlertCause {
  siteId: string | null;
  /** When the triggering fact happened clinically (the lab's collection time…). */
  occurredAt: string;
  correlationId: string;
  /** Stored event id of the triggering event. */
  causationId: string;
}

export interface RaiseAlertAction {
  kind: 'raise';
  alertId: string;
  data: AlertRaisedData;
  cause: AlertCause;
}

/** docs/safety-rules.md §7: an alert whose cause was corrected away is retracted, naming the correction. */
export interface RetractAlertAction {
  kind: 'retract';
  alertId: string;
  correctionEventId: string;
  reason: string;
  cause: AlertCause;
}

export type SafetyAction = RaiseAlertAction | RetractAlertAction;
