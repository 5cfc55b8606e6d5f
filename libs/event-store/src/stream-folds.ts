import type { EventStore, StoredEvent } from './event-store';
import type { StreamState } from './handle-command';

/** A fold of one stream that moves on in place, one stored event at a time (the domain's PatientFold fits). */
export interface Fold<S> {
  readonly version: number;
  /** The state folded so far: valid until the next `apply`. */
  readonly state: S;
  apply(event: StoredEvent): void;
  /** The state as a value of its own, that further `apply` calls leave as it is. */
  snapshot(): S;
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
  /** Global position of the last event folded, per stream. */
  private readonly positions = new Map<string, number>();
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
    if (!this.advanceWith(streamId, fold, tail)) return this.refold(streamId);
    this.remember(streamId, fold);
    return { state: fold.state, version: fold.version, position: this.positions.get(streamId) ?? 0 };
  }

  /** The stream's state as the store has it now, as a value the caller may keep (a query's answer). */
  async read(streamId: string): Promise<StreamState<S>> {
    const loaded = await this.load(streamId);
    const fold = this.folds.get(streamId);
    return fold && fold.version === loaded.version ? { ...loaded, state: fold.snapshot() } : loaded;
  }

  /** Folds in the events a command just appended, so the next load reads nothing. */
  advance(streamId: string, events: readonly StoredEvent[]): void {
    const fold = this.folds.get(streamId);
    if (fold && !this.advanceWith(streamId, fold, events)) this.folds.delete(streamId);
  }

  /** Applies the events that follow the fold's version; false when there is a gap (the fold cannot be trusted). */
  private advanceWith(streamId: string, fold: Fold<S>, events: readonly StoredEvent[]): boolean {
    for (const event of events) {
      if (event.streamVersion <= fold.version) continue;
      if (event.streamVersion !== fold.version + 1) return false;
      fold.apply(event);
      this.positions.set(streamId, event.globalPosition);
    }
    return true;
  }

  private async refold(streamId: string): Promise<StreamState<S>> {
    this.folds.delete(streamId);
    const fold = this.start();
    this.advanceWith(streamId, fold, await this.store.readStream(streamId));
    this.remember(streamId, fold);
    return { state: fold.state, version: fold.version, position: this.positions.get(streamId) ?? 0 };
  }

  private remember(streamId: string, fold: Fold<S>): void {
    if (fold.version === 0) return;
    this.folds.delete(streamId);
    this.folds.set(streamId, fold);
    if (this.folds.size > this.maxStreams) {
      const oldest = this.folds.keys().next().value as string;
      this.folds.delete(oldest);
      this.positions.delete(oldest);
    }
  }
}
