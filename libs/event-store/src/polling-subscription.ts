import { StoredEvent, SubscribeOptions, Subscription, SubscriptionHandler } from './event-store';
import { WakeSignal } from './wake-signal';

export interface SubscriptionSource {
  /** Up to `limit` events with global position > `after`, in order. */
  readBatch(after: number, limit: number): Promise<StoredEvent[]>;
  /** Woken by the adapter after a commit it made or heard of (NOTIFY, a live feed…). */
  signal: WakeSignal;
  /** Upper bound on how long a new event can go unseen without a wake-up (another process wrote). */
  pollIntervalMs: number;
}

/**
 * One subscription loop for every adapter: read the next batch after the last delivered position,
 * hand it to the handler, repeat; when nothing is left, wait for a wake-up or the poll interval.
 * Catch-up and live are the same read, so nothing can fall between them or be seen twice.
 */
export class PollingSubscription implements Subscription {
  private _position: number;
  private stopping = false;
  private cancelWait: (() => void) | null = null;
  readonly closed: Promise<void>;

  constructor(
    after: number,
    private readonly batchSize: number,
    private readonly handler: SubscriptionHandler,
    private readonly source: SubscriptionSource,
  ) {
    if (!Number.isSafeInteger(after) || after < 0) throw new RangeError(`subscribe after must be a position ≥ 0, not ${after}`);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, not ${batchSize}`);
    this._position = after;
    this.closed = this.run();
    // Whoever awaits `closed` sees a failure; nobody awaiting it must not crash the process.
    this.closed.catch(() => undefined);
  }

  get position(): number {
    return this._position;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelWait?.();
    await this.closed.catch(() => undefined);
  }

  private async run(): Promise<void> {
    await Promise.resolve(); // let the caller keep the subscription before the first handler call
    while (!this.stopping) {
      const generation = this.source.signal.generation;
      const batch = await this.source.readBatch(this._position, this.batchSize);
      if (this.stopping) return;
      if (batch.length > 0) {
        await this.handler(batch);
        this._position = batch[batch.length - 1].globalPosition;
        continue;
      }
      const wait = this.source.signal.wait(generation, this.source.pollIntervalMs);
      this.cancelWait = wait.cancel;
      await wait.done;
      this.cancelWait = null;
    }
  }
}

/** The running subscriptions of one store: each adapter opens them here and stops them all on close. */
export class SubscriptionSet {
  private readonly running = new Set<PollingSubscription>();

  open(options: SubscribeOptions, handler: SubscriptionHandler, source: SubscriptionSource): Subscription {
    const subscription = new PollingSubscription(options.after, options.batchSize ?? 1000, handler, source);
    this.running.add(subscription);
    subscription.closed.finally(() => this.running.delete(subscription)).catch(() => undefined);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((subscription) => subscription.stop()));
  }
}
