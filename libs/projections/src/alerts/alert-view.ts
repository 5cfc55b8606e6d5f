import type { AlertSeverity } from '@vigil/domain';

export type AlertStatus = 'open' | 'acknowledged' | 'retracted';
export const ALERT_STATUSES: readonly AlertStatus[] = ['open', 'acknowledged', 'retracted'];

/** One alert as the alert list shows it: what was crossed, by what, and what became of it. */
export interface AlertView {
  alertId: string;
  patientId: string;
  siteId: string;
  /** docs/safety-rules.md rule id (TR-PLT, TR-CRCL, SAE-24H…) or a dose deviation (DOSE-*). */
  ruleId: string;
  status: AlertStatus;
  /** Left unacknowledged past the escalation delay (docs/safety-rules.md §7). */
  escalated: boolean;
  escalatedAt?: string;
  /** Stored event id of the record (or correction) that crossed the rule. */
  triggeredBy: string;
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
  /** When the triggering fact happened clinically (collection, administration, onset). */
  occurredAt: string;
  /** When the alert must be acted on (SAE reporting deadline). */
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
}
