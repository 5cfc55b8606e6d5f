import type { EventStore, StoredEvent } from './event-store';
import type { StreamState } from './handle-command';

/** A fold of one stream that moves on in place, one stored event at a time (the domain's PatientFold fits). */
export interface Fold<S> {
  readonly version: number;
  /** The state folded so far: valid until the next `apply`. */
  readonly state: S;
  apply(event: StoredEvent): void;
}

export interface StreamFoldsOptions {
  /** Streams kept; the least recently used ones are dropped beyond it (default 10 000). */
  maxStreams?: number;
}

/**
 * The folded state of recently used streams, for the command path and the queries that need a stream's
 * state now: a load reads only the events appended since (by this process or any other), and folds them
 * in. Stored events never change, so a fold never goes stale; one that does not follow on from what the
 * store returns (a store replaced under it) is folded again from the start.
 */
export class StreamFolds<S> {
  private readonly folds = new Map<string, Fold<S>>();
  private readonly maxStreams: number;

  constructor(
    private readonly store: EventStore,
    private readonly start: () => Fold<S>,
    options: StreamFoldsOptions = {},
  ) {
    this.maxStreams = options.maxStreams ?? 10_000;
  }

  /** The stream's state as the store has it now. */
  async load(streamId: string): Promise<StreamState<S>> {
    const known = this.folds.get(streamId);
    const tail = await this.store.readStream(streamId, { fromVersion: (known?.version ?? 0) + 1 });
    // Another load may have folded some of these meanwhile: take what follows on from the fold as it is now.
    const fold = this.folds.get(streamId) ?? known ?? this.start();
    if (!this.advanceWith(fold, tail)) return this.refold(streamId);
    this.remember(streamId, fold);
    return { state: fold.state, version: fold.version };
  }

  /** Folds in the events a command just appended, so the next load reads nothing. */
  advance(streamId: string, events: readonly StoredEvent[]): void {
    const fold = this.folds.get(streamId);
    if (fold && !this.advanceWith(fold, events)) this.folds.delete(streamId);
  }

  /** Applies the events that follow the fold's version; false when there is a gap (the fold cannot be trusted). */
  private advanceWith(fold: Fold<S>, events: readonly StoredEvent[]): boolean {
    for (const event of events) {
      if (event.streamVersion <= fold.version) continue;
      if (event.streamVersion !== fold.version + 1) return false;
      fold.apply(event);
    }
    return true;
  }

  private async refold(streamId: string): Promise<StreamState<S>> {
    this.folds.delete(streamId);
    const fold = this.start();
    for (const event of await this.store.readStream(streamId)) fold.apply(event);
    this.remember(streamId, fold);
    return { state: fold.state, version: fold.version };
  }

  private remember(streamId: string, fold: Fold<S>): void {
    if (fold.version === 0) return;
    this.folds.delete(streamId);
    this.folds.set(streamId, fold);
    if (this.folds.size > this.maxStreams) this.folds.delete(this.folds.keys().next().value as string);
  }
}
