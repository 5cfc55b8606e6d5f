import type { EventStore, StoredEvent } from '@vigil/event-store';
import { AlertList, Projector, ReadModelDatabase, ReadModelProgress, readModels, readModelSource, SAFETY_READ_MODELS } from '@vigil/projections';
import { AlertEscalator } from '../alert-escalator';
import { AlertStreams } from '../alert-streams';
import { AlertingReactor, type AlertingOptions } from '../alerting-reactor';
import type { AlertingState } from '../alerting-state';
import { StoredAlertingState } from '../stored-alerting-state';
import { alertingSource } from '../projector/projector.module';

/**
 * Test support: the alerting reactor over one store, with the alert list it feeds, as the projector role runs
 * them. `state` may wrap the reactor's stored state (to make a commit fail, say).
 */
export class Monitor {
  readonly list: AlertList;
  readonly streams: AlertStreams;
  readonly state: StoredAlertingState;
  readonly reactor: AlertingReactor;
  readonly projector: Projector;
  readonly escalator: AlertEscalator;
  private readonly progress: ReadModelProgress;

  constructor(
    private readonly store: EventStore,
    options: AlertingOptions & { wrapState?: (state: AlertingState) => AlertingState; escalation?: { afterMs: number; remindBeforeMs: number } } = {},
    readonly db = new ReadModelDatabase({ file: ':memory:' }),
  ) {
    this.list = new AlertList(db);
    this.streams = new AlertStreams(store);
    this.state = new StoredAlertingState(db.store);
    this.escalator = new AlertEscalator(this.list, this.streams, options.escalation ?? { afterMs: 24 * 3_600_000, remindBeforeMs: 6 * 3_600_000 });
    const reactorOptions = { retryDelayMs: 5, escalator: this.escalator, ...options };
    this.reactor = new AlertingReactor(store, options.wrapState?.(this.state) ?? this.state, this.streams, reactorOptions);
    this.projector = new Projector(store, db, readModels(), { retryDelayMs: 5 });
    this.progress = new ReadModelProgress(store, [...SAFETY_READ_MODELS.map((name) => readModelSource(db, name)), alertingSource(this.state, this.reactor)]);
  }

  async start(): Promise<this> {
    await this.projector.start();
    await this.reactor.start();
    return this;
  }

  async caughtUp(): Promise<void> {
    await this.progress.waitForPosition(await this.store.headPosition(), { timeoutMs: 5000 });
  }

  async stop({ keepDatabase = false } = {}): Promise<void> {
    await this.reactor.stop();
    await this.projector.stop();
    if (!keepDatabase) await this.db.close();
  }
}

/** Every alert event in the log, in order (of one type, if given). */
export async function alertEvents(store: EventStore, type?: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of store.readAll()) events.push(...batch.filter((e) => e.streamId.startsWith('alert-') && (!type || e.type === type)));
  return events;
}
