import {
  type AppendOptions,
  type AppendResult,
  type CheckpointLog,
  type ChainRecord,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StoredEvent,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
  WrongExpectedVersionError,
} from '@vigil/event-store';
import type { AppendOutcome, VigilMetrics } from './vigil-metrics';

/**
 * The configured store, counting and timing its appends (`vigil_appends_total`, `vigil_append_duration_seconds`)
 * and the alerts they raise (`vigil_alerts_raised_total`: every `AlertRaised` this process appends, whether
 * the alerting reactor or a timer raised it). Everything else goes straight to the store.
 */
export class InstrumentedEventStore implements EventStore {
  readonly readChainRecords?: (options?: ReadAllOptions) => AsyncIterable<ChainRecord[]>;

  constructor(
    readonly inner: EventStore,
    private readonly metrics: VigilMetrics,
  ) {
    if (inner.readChainRecords) this.readChainRecords = (options) => (inner.readChainRecords as NonNullable<EventStore['readChainRecords']>)(options);
  }

  get checkpoints(): CheckpointLog | undefined {
    return this.inner.checkpoints;
  }

  async append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult> {
    const stop = this.metrics.appendDuration.startTimer();
    let outcome: AppendOutcome = 'failed';
    try {
      const result = await this.inner.append(streamId, events, options);
      outcome = result.duplicate ? 'duplicate' : 'appended';
      if (!result.duplicate) this.countRaises(result.events);
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) outcome = 'conflict';
      throw error;
    } finally {
      stop({ outcome });
      this.metrics.appends.inc({ outcome });
    }
  }

  private countRaises(events: StoredEvent[]): void {
    for (const event of events) {
      if (event.type !== 'AlertRaised') continue;
      const { ruleId, severity } = event.data as { ruleId?: unknown; severity?: unknown };
      this.metrics.alertsRaised.inc({ rule: String(ruleId), severity: String(severity) });
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  streamVersion(streamId: string): Promise<number> {
    return this.inner.streamVersion(streamId);
  }

  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent[]> {
    return this.inner.readAll(options);
  }

  headPosition(): Promise<number> {
    return this.inner.headPosition();
  }

  findCommand(commandId: string): Promise<StoredEvent[] | null> {
    return this.inner.findCommand(commandId);
  }

  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    return this.inner.subscribe(options, handler);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
