import { REPORTING_CLOCKS } from '../safety/sae-clock';

/** docs/safety-rules.md §7: panic lab values are acknowledged within 24 hours; past that, the alert escalates. */
export const ALERT_ACKNOWLEDGEMENT_MS = 24 * 3_600_000;
/** docs/safety-rules.md §5: a reminder after the deadline is too late; the SAE reminder comes this long before it. */
export const SAE_REMIND_BEFORE_MS = 6 * 3_600_000;

/** A rule whose alert runs a reporting clock (docs/safety-rules.md §5): SAE-24H to the sponsor, the SUSARs' to the regulator. */
export type ReportingClockRule = keyof typeof REPORTING_CLOCKS;
/** Rules whose alert runs a reporting clock: they escalate until the report closes them, acknowledged or not. */
export const REPORTING_CLOCK_RULES = Object.keys(REPORTING_CLOCKS) as readonly ReportingClockRule[];
/** The clocks of a SUSAR, reported to the regulator. */
export const SUSAR_CLOCK_RULES: readonly ReportingClockRule[] = REPORTING_CLOCK_RULES.filter((rule) => REPORTING_CLOCKS[rule].to === 'regulator');
export const isReportingClockRule = (ruleId: string): ruleId is ReportingClockRule => (REPORTING_CLOCK_RULES as readonly string[]).includes(ruleId);

export interface EscalationPolicy {
  /** An open alert left unacknowledged this long escalates (VIGIL_ALERT_ESCALATE_AFTER_MS). */
  afterMs: number;
  /** A reporting clock escalates this long before its deadline (VIGIL_SAE_REMIND_BEFORE_MS). */
  remindBeforeMs: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = { afterMs: ALERT_ACKNOWLEDGEMENT_MS, remindBeforeMs: SAE_REMIND_BEFORE_MS };

/** What escalation needs to know of an alert. */
export interface EscalationCandidate {
  ruleId: string;
  status: string;
  escalated: boolean;
  /** When the alert (last) became open. */
  openSince: string;
  deadline?: string;
}

/**
 * When an alert escalates (ms), or null when it never will: a reporting clock (SAE-24H, SUSAR-*) at its
 * deadline less the reminder delay, until its report closes it; any other alert `afterMs` after it became
 * open, until someone acknowledges it. An alert escalates once while it stays open.
 */
export function escalationDueAt(alert: EscalationCandidate, policy: EscalationPolicy = DEFAULT_ESCALATION): number | null {
  if (alert.escalated || alert.status === 'retracted' || alert.status === 'closed') return null;
  if (isReportingClockRule(alert.ruleId) && alert.deadline) return Date.parse(alert.deadline) - policy.remindBeforeMs;
  if (alert.status !== 'open') return null;
  return Date.parse(alert.openSince) + policy.afterMs;
}

/**
 * An alert is overdue when it has a deadline (a reporting clock: SAE-24H, SUSAR-*) that has passed while its
 * clock still runs (not closed by its report, not retracted), acknowledged or not. Read at `now`, never stored:
 * it turns true the moment the deadline passes, with no event.
 */
export function isOverdue(alert: { status: string; deadline?: string }, now: Date): boolean {
  if (alert.deadline === undefined || alert.status === 'closed' || alert.status === 'retracted') return false;
  return Date.parse(alert.deadline) < now.getTime();
}
