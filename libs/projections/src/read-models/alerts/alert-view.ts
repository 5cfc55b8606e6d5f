import type { AlertFigures, AlertSeverity, AlertStatus } from '@vigil/domain';

/** What changed on an alert: a correction (or a later result, a report) changed its value, grade, severity or deadline. */
export interface AlertUpdateView {
  updatedAt: string;
  /** Stored event id of the event that changed it. */
  correctionEventId: string;
  reason: string;
  previous: Omit<AlertFigures, 'message'>;
  current: Omit<AlertFigures, 'message'>;
}

/** One alert as the alert list shows it: what was crossed, by what, and what became of it. */
export interface AlertView {
  alertId: string;
  patientId: string;
  siteId: string;
  /** The rule catalogue's id (TR-PLT, CTCAE-LAB, SAE-24H, DOSE-MISSED…: GET /rules). */
  ruleId: string;
  status: AlertStatus;
  /** Left unacknowledged past the escalation delay (docs/safety-rules.md §7), or its report due soon. */
  escalated: boolean;
  escalatedAt?: string;
  /** Stored event id of the record (or correction) that crossed the rule; a due day's key for a missed dose. */
  triggeredBy: string;
  /** What the alert is about: `lab/<id>`, `dose/<id>`, `ae/<id>`, `hy-law/<id>`, `due/<day>`. */
  subject?: string;
  /** As reported by the lab. */
  value: number | null;
  unit: string | null;
  normalisedValue: number | null;
  normalisedUnit: string | null;
  threshold: number | null;
  thresholdUnit: string | null;
  grade: number | null;
  severity: AlertSeverity;
  message: string;
  /** When Vigil raised the alert. */
  raisedAt: string;
  /** When the alert last became open (raised, or opened again by a rise in severity). */
  openSince: string;
  /** When the triggering fact happened clinically (collection, administration, onset). */
  occurredAt: string;
  /** When the alert must be acted on (the SAE or SUSAR reporting deadline). */
  deadline?: string;
  acknowledgedAt?: string;
  /** User id of whoever acknowledged it. */
  acknowledgedBy?: string;
  acknowledgedByName?: string;
  acknowledgementNote?: string;
  retractedAt?: string;
  /** Stored event id of the correction that removed the alert's cause. */
  retractedBy?: string;
  retractionReason?: string;
  /** The report closed the alert's clock: when it was made, and whether after the deadline. */
  closedAt?: string;
  reportedAt?: string;
  late?: boolean;
  reportReference?: string;
  /** Corrections that changed what the alert shows, oldest first. */
  updates: AlertUpdateView[];
}
