import { Logger } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AlertNotFoundError, type Actor } from '@vigil/domain';
import { AlertStreams } from '@vigil/alerting';
import { AlertList, ReadModelProgress, ReadModelsBehindError } from '@vigil/projections';
import type { CommandContext } from '../patients/commands/execute-patient-command';
import { servedAlert, type ServedAlert } from './served-alert';

export class AcknowledgeAlertCommand {
  constructor(
    readonly alertId: string,
    readonly note: string | undefined,
    readonly context: CommandContext,
  ) {}
}

export interface AcknowledgedAlert {
  alert: ServedAlert;
  /** False when the alert was already acknowledged: nothing new was recorded. */
  recorded: boolean;
}

/**
 * Acknowledges through the alert write side (libs/alerting: the alert decider on the alert's stream, one command path).
 * A second acknowledgement is the decider's no-op. Answers with the alert list's view once it shows
 * the acknowledgement (read-your-writes).
 */
@CommandHandler(AcknowledgeAlertCommand)
export class AcknowledgeAlertHandler implements ICommandHandler<AcknowledgeAlertCommand, AcknowledgedAlert> {
  private readonly logger = new Logger('AcknowledgeAlert');

  constructor(
    private readonly alerts: AlertStreams,
    private readonly list: AlertList,
    private readonly progress: ReadModelProgress,
  ) {}

  async execute({ alertId, note, context }: AcknowledgeAlertCommand): Promise<AcknowledgedAlert> {
    const state = await this.alerts.state(alertId);
    if (!state.raised) throw new AlertNotFoundError(alertId);
    const now = new Date().toISOString();
    const decision = await this.alerts.decide(
      { type: 'AcknowledgeAlert', alertId, by: by(context.actor), acknowledgedAt: now, ...(note !== undefined ? { note } : {}) },
      {
        userId: context.actor.userId,
        userName: context.actor.name,
        role: context.actor.role,
        siteId: state.raised.siteId,
        occurredAt: now,
        correlationId: context.correlationId,
        causationId: null,
      },
      { commandId: context.commandId },
    );
    const last = decision.events[decision.events.length - 1];
    try {
      await this.progress.waitForPosition(last?.globalPosition ?? 0, { timeoutMs: 5000 });
    } catch (error) {
      // The acknowledgement is recorded; only the list is late. Answer with what it shows.
      if (!(error instanceof ReadModelsBehindError)) throw error;
      this.logger.warn(error.message);
    }
    const alert = await this.list.get(alertId);
    if (!alert) throw new AlertNotFoundError(alertId);
    return { alert: servedAlert(alert), recorded: decision.events.length > 0 };
  }
}

const by = (actor: Actor) => ({ userId: actor.userId, name: actor.name, role: actor.role });
