import { Logger } from '@nestjs/common';
import { escalationDueAt, isReportingClockRule, REPORTING_CLOCKS, type EscalationPolicy } from '@vigil/domain';
import type { AlertList, AlertView } from '@vigil/projections';
import { AlertStreams, SAFETY_RULES_ACTOR } from './alert-streams';

/**
 * Escalation (docs/safety-rules.md §5, §7): an alert nobody acknowledged escalates `afterMs` after it became
 * open; a reporting clock (SAE-24H, SUSAR-*) escalates `remindBeforeMs` before its deadline while its report
 * is not recorded, acknowledged or not. Candidates come from the alert list; the alert decider has the last
 * word on its own stream (already acknowledged, closed, retracted or escalated: nothing is appended), so a
 * stale list or a second process cannot escalate twice.
 */
export class AlertEscalator {
  private readonly logger = new Logger('AlertEscalator');
  private pass?: Promise<number>;

  constructor(
    private readonly list: AlertList,
    private readonly alerts: AlertStreams,
    private readonly policy: EscalationPolicy,
  ) {}

  /** Escalates every alert due; returns how many were escalated now. One pass at a time. */
  escalateDue(now: Date = new Date()): Promise<number> {
    this.pass ??= this.escalate(now).finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async escalate(now: Date): Promise<number> {
    let escalated = 0;
    for (const alert of await this.list.escalationCandidates()) {
      const dueAt = escalationDueAt(alert, this.policy);
      if (dueAt === null || dueAt > now.getTime()) continue;
      const decision = await this.alerts.decide(
        { type: 'EscalateAlert', alertId: alert.alertId, escalatedAt: now.toISOString(), reason: this.reason(alert) },
        { ...SAFETY_RULES_ACTOR, siteId: alert.siteId, occurredAt: now.toISOString(), causationId: null },
      );
      if (decision.events.length > 0) escalated++;
    }
    if (escalated > 0) this.logger.warn(`${escalated} alert(s) escalated`);
    return escalated;
  }

  private reason(alert: AlertView): string {
    if (isReportingClockRule(alert.ruleId) && alert.deadline) {
      const to = REPORTING_CLOCKS[alert.ruleId].to;
      return `the report to the ${to} is due by ${alert.deadline} and is not recorded (${alert.ruleId}, docs/safety-rules.md §5)`;
    }
    return `not acknowledged within ${formatDuration(this.policy.afterMs)} of being raised (docs/safety-rules.md §7)`;
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}
