import { ALERT_EVENT_TYPES } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';

/**
 * Every alert event is delivered (docs/safety-rules.md §7): raised, escalated, updated by a correction,
 * retracted, closed by its report, and acknowledged, so that a receiver's copy of each alert follows its stream.
 */
export const DELIVERED_ALERT_EVENT_TYPES: readonly string[] = ALERT_EVENT_TYPES;

/** What a channel reports about a successful delivery, for the attempt log. */
export interface DeliveryReceipt {
  /** HTTP status, when the channel speaks HTTP. */
  statusCode?: number;
  /** Broker coordinates or similar, when the channel has them. */
  detail?: string;
}

/**
 * Where alert events go: a webhook, a Kafka topic, the log. A channel delivers one stored alert event
 * and resolves once the receiver has it; it throws (preferably a DeliveryFailedError) when not.
 * The outbox calls it at least once per (event, channel), and retries failures, so a channel must not
 * retry for long on its own, and receivers deduplicate by event id (`X-Vigil-Event-Id`, or the Kafka
 * header `vigil-event-id`).
 */
export interface AlertChannel {
  /** Stable: it keys the delivery rows. */
  readonly name: string;
  deliver(alertEvent: StoredEvent): Promise<DeliveryReceipt | void>;
  /** Lets go of connections; called once when the notifier stops. */
  close?(): Promise<void>;
}

export class DeliveryFailedError extends Error {
  readonly code = 'DELIVERY_FAILED';
  constructor(
    readonly channel: string,
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'DeliveryFailedError';
  }
}
