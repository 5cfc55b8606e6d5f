import { Logger } from '@nestjs/common';
import {
  AlertNotFoundError,
  alertStream,
  decideAlert,
  evolveAlert,
  initialAlertState,
  RuleViolationError,
  upcast,
  type AlertCommand,
  type AlertEvent,
  type AlertState,
} from '@vigil/domain';
import { handleCommand, type EventStore, type NewEvent, type StoredEvent, type StreamState } from '@vigil/event-store';

/** Who the safety rules act as in the audit trail (docs/audit-trail.md). */
export const SAFETY_RULES_ACTOR = { userId: 'vigil:safety-rules', role: 'system' } as const;

/** Envelope of an alert event; the correlation id defaults to the alert's raise. */
export type AlertEventMetadata = Omit<NewEvent['metadata'], 'correlationId'> & { correlationId?: string };

export interface AlertDecision {
  /** Events appended ([] when the decider had nothing to record: a repeat). */
  events: StoredEvent[];
  /** The alert after the decision. */
  state: AlertState;
}

const evolveStored = (state: AlertState, stored: StoredEvent): AlertState => {
  const current = upcast(stored.type, stored.schemaVersion, stored.data);
  return evolveAlert(state, { type: stored.type, version: current.schemaVersion, data: current.data } as AlertEvent);
};

/** An alert folded from its stored events (upcast first), as the alert streams see it; `from` a state folded up to the first of them. */
export const replayStoredAlert = (events: Iterable<StoredEvent>, from: AlertState = initialAlertState): AlertState => {
  let state = from;
  for (const event of events) state = evolveStored(state, event);
  return state;
};

/**
 * The alert streams (`alert-<alertId>`) through the one command path (handleCommand): load, ask the alert
 * decider, append with the expected version. The decider makes repeats no-ops, so every caller (the
 * reactor replaying, an officer clicking twice) may safely repeat itself.
 */
export class AlertStreams {
  private readonly logger = new Logger('AlertStreams');

  constructor(private readonly store: EventStore) {}

  async state(alertId: string): Promise<AlertState> {
    return (await this.load(alertStream(alertId))).state;
  }

  /** The alert folded from its stream, and the correlation id of its raise (later events carry it on). */
  private async load(streamId: string): Promise<StreamState<AlertState> & { correlationId?: string }> {
    const events = await this.store.readStream(streamId);
    const state = replayStoredAlert(events);
    return { state, version: events.length === 0 ? 0 : events[events.length - 1].streamVersion, correlationId: events[0]?.metadata.correlationId };
  }

  async decide(command: AlertCommand, metadata: AlertEventMetadata, options: { commandId?: string } = {}): Promise<AlertDecision> {
    const alertId = command.type === 'RaiseAlert' ? command.alert.alertId : command.alertId;
    const streamId = alertStream(alertId);
    // Raising an alert already raised (a replay, a repeated batch) is a read, not a write that takes the lock.
    if (command.type === 'RaiseAlert' && (await this.store.streamVersion(streamId)) > 0) {
      return { events: [], state: await this.state(alertId) };
    }
    let raiseCorrelation: string | undefined;
    const handled = await handleCommand<AlertState, AlertEvent>(this.store, streamId, (state) => decideAlert(command, state), {
      load: async (id) => {
        const loaded = await this.load(id);
        raiseCorrelation = loaded.correlationId;
        return loaded;
      },
      metadata: () => ({ ...metadata, correlationId: metadata.correlationId ?? raiseCorrelation ?? alertId }),
      ...(options.commandId ? { commandId: options.commandId } : {}),
    });
    if (handled.duplicate) {
      // The command id was seen before: the store returned that command's events, not new ones.
      if (handled.events.some((event) => event.streamId !== streamId)) {
        throw new RuleViolationError('Idempotency-Key was already used for another request', 'Idempotency-Key');
      }
      return { events: [], state: await this.state(alertId) };
    }
    let after = handled.decidedOn.state;
    for (const event of handled.events) after = evolveStored(after, event);
    return { events: handled.events, state: after };
  }

  /**
   * Carries out what the alerting reactor decided. A retraction, update or closure of an alert whose
   * stream is missing means the log lost it: blocking the reactor on it would stop every other alert,
   * so it is reported loudly and passed.
   */
  async carryOut(command: AlertCommand, metadata: AlertEventMetadata): Promise<StoredEvent[]> {
    try {
      return (await this.decide(command, metadata)).events;
    } catch (error) {
      if (!(error instanceof AlertNotFoundError) || command.type === 'RaiseAlert') throw error;
      this.logger.error(`cannot ${command.type} ${command.alertId}: its stream is missing from the log`);
      return [];
    }
  }
}
