import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import { AlertChannel, DELIVERED_ALERT_EVENT_TYPES, DeliveryFailedError } from './alert-channel';
import type { AlertOutbox, DueDelivery } from './alert-outbox';

export interface AlertNotifierOptions {
  /** First retry delay after a failed delivery; doubles per attempt (default 1 s). */
  retryBaseMs?: number;
  /** Longest delay between two attempts (default 5 min). Retries never stop: an alert is never dropped. */
  retryMaxMs?: number;
  /** Longest sleep of the delivery worker between two looks at the outbox (default 1 s). */
  pollMs?: number;
  /** Log events read per batch while following the log (default 1000). */
  batchSize?: number;
}

/** Events of the log a batch without alert events may leave behind the outbox's position. */
const POSITION_LAG = 1_000;

/** Delay before attempt n+1 after n failed attempts: base·2^(n−1), capped. */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failedAttempts - 1));
}

/**
 * Follows the log for alert events into the outbox (one row per event and channel, atomically with
 * the position), and delivers due rows through their channels, retrying failures with exponential
 * backoff. Deliveries are keyed by event id, so following the log again sends nothing twice.
 */
export class AlertNotifier {
  /** `delivery-failed` ({channel, eventId, error}) after each failed attempt: the metrics count them. */
  readonly events = new EventEmitter();
  private readonly logger = new Logger('AlertNotifier');
  private readonly channels: Map<string, AlertChannel>;
  private readonly types = new Set(DELIVERED_ALERT_EVENT_TYPES);
  private subscription?: Subscription;
  private running = false;
  private stopping = false;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private again = false;
  private resubscribeDelayMs = 250;
  /** The outbox's position as this notifier last wrote it. */
  private recordedUpTo = 0;

  constructor(
    private readonly store: EventStore,
    private readonly outbox: AlertOutbox,
    channels: AlertChannel[],
    private readonly options: AlertNotifierOptions = {},
  ) {
    if ((options.retryBaseMs ?? 1000) < 10) throw new Error('retryBaseMs must be at least 10 ms');
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
    if (this.channels.size !== channels.length) throw new Error('alert channel names must be unique');
  }

  get channelNames(): string[] {
    return [...this.channels.keys()];
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.follow();
    this.wake();
  }

  /** Stops delivering (shutdown): `pause`, then the channels close. */
  async stop(): Promise<void> {
    await this.pause();
    for (const channel of this.channels.values()) await channel.close?.();
  }

  /** Stops following the log and delivering, channels kept open (the notifier's lease went to another node). */
  async pause(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.pass?.catch(() => undefined);
  }

  /** Delivers everything due now (one pass); resolves when done. */
  async deliverDue(): Promise<void> {
    if (this.pass) {
      this.again = true;
      return this.pass;
    }
    this.pass = this.deliverPass().finally(() => (this.pass = undefined));
    return this.pass;
  }

  private follow(): void {
    void this.outbox.position().then(
      (position) => this.subscribeAfter(position),
      (error: unknown) => this.resubscribeLater(error),
    );
  }

  private subscribeAfter(position: number): void {
    if (!this.running) return;
    this.recordedUpTo = position;
    const subscription = this.store.subscribe(
      { after: this.recordedUpTo, batchSize: this.options.batchSize ?? 1000, types: DELIVERED_ALERT_EVENT_TYPES },
      (batch) => this.take(batch),
    );
    this.subscription = subscription;
    subscription.closed.then(
      () => undefined,
      (error: unknown) => {
        if (!this.running || this.subscription !== subscription) return;
        this.subscription = undefined;
        this.resubscribeLater(error);
      },
    );
  }

  private resubscribeLater(error: unknown): void {
    if (!this.running) return;
    this.logger.error(`following the log failed, resuming in ${this.resubscribeDelayMs} ms: ${error instanceof Error ? error.message : String(error)}`);
    setTimeout(() => this.running && this.follow(), this.resubscribeDelayMs).unref();
    this.resubscribeDelayMs = Math.min(this.resubscribeDelayMs * 2, 30_000);
  }

  private async take(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const alertEvents = batch.filter((event) => this.types.has(event.type));
    const upTo = batch[batch.length - 1].globalPosition;
    // A batch with nothing to deliver moves the position only now and then: it is where a restart
    // reads the log again from, and reading a few hundred events again finds nothing to add.
    if (alertEvents.length === 0 && upTo - this.recordedUpTo < POSITION_LAG) return;
    const created = await this.outbox.record(alertEvents, this.channelNames, upTo);
    this.recordedUpTo = upTo;
    this.resubscribeDelayMs = 250;
    if (created > 0) this.wake();
  }

  private wake(): void {
    if (!this.running) return;
    void this.deliverDue().catch((error: unknown) => this.logger.error(`delivery pass failed: ${error instanceof Error ? error.stack : String(error)}`));
  }

  private async deliverPass(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      do {
        this.again = false;
        let due: DueDelivery[];
        while ((due = await this.outbox.due(new Date(), 100)).length > 0) {
          for (const item of due) {
            if (this.stopping) return;
            await this.attempt(item);
          }
        }
      } while (this.again);
    } finally {
      await this.scheduleNext();
    }
  }

  private async attempt({ delivery, event }: DueDelivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    const startedAt = new Date();
    const started = performance.now();
    if (!channel) {
      // A channel configured when the row was written but not now: keep the row, try later.
      const error = `channel ${delivery.channel} is not configured`;
      await this.outbox.markFailed(
        delivery.eventId,
        delivery.channel,
        { at: startedAt.toISOString(), durationMs: 0, error },
        this.nextAttemptAt(delivery.attempts + 1),
      );
      return;
    }
    try {
      const receipt = await channel.deliver(event);
      await this.outbox.markDelivered(delivery.eventId, delivery.channel, {
        at: startedAt.toISOString(),
        durationMs: performance.now() - started,
        ...(receipt?.statusCode !== undefined ? { statusCode: receipt.statusCode } : {}),
        ...(receipt?.detail !== undefined ? { detail: receipt.detail } : {}),
      });
    } catch (error) {
      const failed = delivery.attempts + 1;
      const next = this.nextAttemptAt(failed);
      const message = error instanceof Error ? error.message : String(error);
      await this.outbox.markFailed(
        delivery.eventId,
        delivery.channel,
        {
          at: startedAt.toISOString(),
          durationMs: performance.now() - started,
          error: message,
          ...(error instanceof DeliveryFailedError && error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
        },
        next,
      );
      this.events.emit('delivery-failed', { channel: delivery.channel, eventId: delivery.eventId, error: message });
      this.logger.warn(
        `${delivery.eventType} ${delivery.eventId} (alert ${delivery.alertId}) not delivered on ${delivery.channel}, ` +
          `attempt ${failed}: ${message}; next attempt at ${next.toISOString()}`,
      );
    }
  }

  private nextAttemptAt(failedAttempts: number): Date {
    return new Date(Date.now() + retryDelayMs(failedAttempts, this.options.retryBaseMs ?? 1000, this.options.retryMaxMs ?? 300_000));
  }

  private async scheduleNext(): Promise<void> {
    if (!this.running) return;
    const pollMs = this.options.pollMs ?? 1000;
    const nextDue = await this.outbox.nextDueAt().catch(() => undefined);
    if (!this.running) return;
    const delay = nextDue ? Math.max(0, Math.min(pollMs, nextDue.getTime() - Date.now())) : pollMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }
}
