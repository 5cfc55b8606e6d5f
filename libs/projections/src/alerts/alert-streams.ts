import { Logger } from '@nestjs/common';
import {
  AlertNotFoundError,
  alertStream,
  RuleViolationError,
  decideAlert,
  evolveAlert,
  initialAlertState,
  upcast,
  type AlertCommand,
  type AlertEvent,
  type AlertRaisedData,
  type AlertState,
} from '@vigil/domain';
import { EventStore, NewEvent, StoredEvent, WrongExpectedVersionError } from '@vigil/event-store';
import type { SafetyAction } from '../safety/safety-actions';

/** Who the safety rules act as in the audit trail. */
export const SAFETY_RULES_ACTOR = { userId: 'vigil:safety-rules', role: 'system' } as const;

/** Envelope of an alert event; the correlation id defaults to the alert's raise. */
export type AlertEventMetadata = Omit<NewEvent['metadata'], 'correlationId'> & { correlationId?: string };

export interface AlertDecision {
  /** Events appended ([] when the decider had nothing to record: a repeat). */
  events: StoredEvent[];
  /** The alert after the decision. */
  state: AlertState;
}

/** A concurrent writer on the same alert (an acknowledgement during an escalation) makes us decide again, this many times. */
const MAX_ATTEMPTS = 5;

/**
 * The alert streams (`alert-<alertId>`): load, ask the alert decider, append with the expected
 * version (docs/architecture.md). The decider makes repeats no-ops, and raising appends only to a stream that
 * does not exist yet, so every caller may safely repeat itself.
 */
export class AlertStreams {
  private readonly logger = new Logger('AlertStreams');

  constructor(private readonly store: EventStore) {}

  async load(alertId: string): Promise<{ state: AlertState; events: StoredEvent[] }> {
    const events = await this.store.readStream(alertStream(alertId));
    let state = initialAlertState;
    for (const stored of events) {
      const current = upcast(stored.type, stored.schemaVersion, stored.data);
      state = evolveAlert(state, { type: stored.type, version: current.schemaVersion, data: current.data } as AlertEvent);
    }
    return { state, events };
  }

  /**
   * Raises an alert once: appended only if its stream does not exist. Returns false when it already
   * did (raised by an earlier pass: the idempotency of docs/safety-rules.md §7).
   */
  async raise(alert: AlertRaisedData, metadata: NewEvent['metadata']): Promise<boolean> {
    const events = decideAlert({ type: 'RaiseAlert', alert }, initialAlertState);
    // Already raised (a rebuild, a repeated batch): a read, not a write that fails, and no write lock.
    if ((await this.store.streamVersion(alertStream(alert.alertId))) > 0) return false;
    try {
      await this.store.append(
        alertStream(alert.alertId),
        events.map((event) => toNew(event, metadata)),
        { expectedVersion: 'no_stream' },
      );
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  async decide(alertId: string, command: AlertCommand, metadata: AlertEventMetadata, options: { commandId?: string } = {}): Promise<AlertDecision> {
    for (let attempt = 1; ; attempt++) {
      const { state, events: history } = await this.load(alertId);
      const events = decideAlert(command, state);
      if (events.length === 0) return { events: [], state };
      const envelope = { ...metadata, correlationId: metadata.correlationId ?? history[0]?.metadata.correlationId ?? alertId };
      try {
        const result = await this.store.append(
          alertStream(alertId),
          events.map((event) => toNew(event, envelope)),
          {
            expectedVersion: history.length,
            ...(options.commandId ? { commandId: options.commandId } : {}),
          },
        );
        if (result.duplicate) {
          // The command id was seen before: the store returned that command's events, not new ones.
          if (result.events.some((event) => event.streamId !== alertStream(alertId))) {
            throw new RuleViolationError('Idempotency-Key was already used for another request', 'Idempotency-Key');
          }
          return { events: [], state: (await this.load(alertId)).state };
        }
        let after = state;
        for (const event of events) after = evolveAlert(after, event);
        return { events: result.events, state: after };
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /** Carries out what the safety process decided for one event. */
  async carryOut(action: SafetyAction, now: Date = new Date()): Promise<void> {
    const metadata = {
      ...SAFETY_RULES_ACTOR,
      siteId: action.cause.siteId,
      occurredAt: action.cause.occurredAt,
      correlationId: action.cause.correlationId,
      causationId: action.cause.causationId,
    };
    if (action.kind === 'raise') {
      await this.raise(action.data, metadata);
      return;
    }
    try {
      await this.decide(
        action.alertId,
        { type: 'RetractAlert', alertId: action.alertId, correctionEventId: action.correctionEventId, reason: action.reason, retractedAt: now.toISOString() },
        { ...metadata, reason: action.reason },
      );
    } catch (error) {
      // The watch only holds alerts it raised; a missing stream means the log lost it. Blocking the
      // safety process on it would stop every other alert, so it is reported loudly and passed.
      if (!(error instanceof AlertNotFoundError)) throw error;
      this.logger.error(`cannot retract alert ${action.alertId} after ${action.correctionEventId}: its stream is missing from the log`);
    }
  }
}

function toNew(event: AlertEvent, metadata: NewEvent['metadata']): NewEvent {
  return { type: event.type, schemaVersion: event.version, data: event.data, metadata };
}
