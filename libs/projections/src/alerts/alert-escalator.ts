import { Logger } from '@nestjs/common';
import type { AlertList } from './alert-list';
import { AlertStreams, SAFETY_RULES_ACTOR } from './alert-streams';

export interface AlertEscalatorOptions {
  /** An open alert left unacknowledged this long escalates (VIGIL_ALERT_ESCALATE_AFTER_MS). */
  afterMs: number;
  /** How often to look for such alerts. */
  checkEveryMs: number;
}

/**
 * docs/safety-rules.md §7: an alert nobody acknowledged escalates, once. Candidates come from the alert
 * list; the alert decider has the last word on its own stream (already acknowledged, retracted or
 * escalated: nothing is appended), so a stale list or a second process cannot escalate twice.
 */
export class AlertEscalator {
  private readonly logger = new Logger('AlertEscalator');
  private timer?: NodeJS.Timeout;
  private pass?: Promise<number>;

  constructor(
    private readonly list: AlertList,
    private readonly alerts: AlertStreams,
    private readonly options: AlertEscalatorOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.escalateOverdue().catch((error: unknown) =>
        this.logger.error(`escalation pass failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    }, this.options.checkEveryMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Escalates every overdue alert; returns how many were escalated now. */
  escalateOverdue(now: Date = new Date()): Promise<number> {
    this.pass ??= this.escalate(now).finally(() => (this.pass = undefined));
    return this.pass;
  }

  private async escalate(now: Date): Promise<number> {
    const overdue = this.list.awaitingEscalation(new Date(now.getTime() - this.options.afterMs));
    let escalated = 0;
    for (const alert of overdue) {
      const decision = await this.alerts.decide(
        alert.alertId,
        {
          type: 'EscalateAlert',
          alertId: alert.alertId,
          escalatedAt: now.toISOString(),
          reason: `not acknowledged within ${formatDuration(this.options.afterMs)} of being raised (docs/safety-rules.md §7)`,
        },
        { ...SAFETY_RULES_ACTOR, siteId: alert.siteId, occurredAt: now.toISOString(), causationId: null },
      );
      if (decision.events.length > 0) escalated++;
    }
    if (escalated > 0) this.logger.warn(`${escalated} alert(s) escalated`);
    return escalated;
  }
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}
