import { Logger } from '@nestjs/common';
import { escalationDueAt, isReportingClockRule, REPORTING_CLOCKS, type EscalationCandidate, type EscalationPolicy } from '@vigil/domain';
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

  /**
   * Escalates at once those of these alerts (just raised or changed by the alerting reactor) whose escalation
   * is already due, read from their own streams: an SAE the investigator learned of 30 hours ago is escalated
   * as it is raised, not at the next pass (the list may not show it yet). Returns how many were escalated.
   */
  async escalateIfDue(alertIds: readonly string[], now: Date = new Date()): Promise<number> {
    let escalated = 0;
    for (const alertId of alertIds) {
      const state = await this.alerts.state(alertId);
      const raised = state.raised;
      if (!raised || state.status === 'none') continue;
      const deadline = state.figures?.deadline ?? raised.deadline;
      const candidate = {
        alertId,
        siteId: raised.siteId,
        ruleId: raised.ruleId,
        status: state.status,
        escalated: state.escalated !== null,
        openSince: state.openSince ?? raised.raisedAt,
        ...(deadline ? { deadline } : {}),
      };
      if (await this.escalateOne(candidate, now)) escalated++;
    }
    if (escalated > 0) this.logger.warn(`${escalated} alert(s) escalated as they were raised`);
    return escalated;
  }

  private async escalate(now: Date): Promise<number> {
    let escalated = 0;
    for (const alert of await this.list.escalationCandidates()) if (await this.escalateOne(alert, now)) escalated++;
    if (escalated > 0) this.logger.warn(`${escalated} alert(s) escalated`);
    return escalated;
  }

  /** Escalates one alert if it is due; the alert decider has the last word (an escalation repeated records nothing). */
  private async escalateOne(alert: EscalationCandidate & Pick<AlertView, 'alertId' | 'siteId' | 'ruleId' | 'deadline'>, now: Date): Promise<boolean> {
    const dueAt = escalationDueAt(alert, this.policy);
    if (dueAt === null || dueAt > now.getTime()) return false;
    const decision = await this.alerts.decide(
      { type: 'EscalateAlert', alertId: alert.alertId, escalatedAt: now.toISOString(), reason: this.reason(alert) },
      { ...SAFETY_RULES_ACTOR, siteId: alert.siteId, occurredAt: now.toISOString(), causationId: null },
    );
    return decision.events.length > 0;
  }

  private reason(alert: Pick<AlertView, 'ruleId' | 'deadline'>): string {
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
