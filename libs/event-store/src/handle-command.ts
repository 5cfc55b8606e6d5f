import pRetry from 'p-retry';
import { WrongExpectedVersionError } from './errors';
import type { EventStore, NewEvent, StoredEvent } from './event-store';

/** A stream's state, folded up to a version (0: the stream has no events). */
export interface StreamState<S> {
  state: S;
  version: number;
  /** Global position of the stream's last event, when the loader knows it. */
  position?: number;
}

/** An event as a decider returns it: its type, schema version and data. */
export interface DecidedEvent {
  type: string;
  version: number;
  data: unknown;
}

export interface HandleCommandOptions<S, E extends DecidedEvent> {
  /** Reads the stream's state now (a cache reads only what was appended since it last folded). */
  load: (streamId: string) => Promise<StreamState<S>>;
  /** The envelope of each new event: who, when, why. */
  metadata: (event: E, loaded: StreamState<S>) => NewEvent['metadata'];
  /** The version the caller last saw (If-Match): checked, and a conflict is not retried. */
  expectedVersion?: number;
  /** Idempotency: a command id already stored returns that command's events and appends nothing. */
  commandId?: string;
  /** Told of the events appended, with the state they were decided on (a cache folds them in). */
  appended?: (streamId: string, loaded: StreamState<S>, events: StoredEvent[]) => void;
  /** Attempts after a concurrent writer moved the stream (default 4: five in all). */
  retries?: number;
}

export interface HandledCommand<S> {
  /** The events stored (for a repeated command id: that command's events, which may be of another stream). */
  events: StoredEvent[];
  /** The stream's version after the command. */
  version: number;
  /** True when the command id had been seen before: nothing new was stored. */
  duplicate: boolean;
  /** The state the command was decided on. */
  decidedOn: StreamState<S>;
}

/**
 * The one command path (docs/architecture.md "The domain is data", after Emmett's handleCommand): load the
 * stream's state, ask the decider, append with the expected version; when another writer got there first,
 * load and decide again on the new state, up to `retries` times. A decider that records nothing (an
 * idempotent repeat) appends nothing. Domain errors thrown by the decider pass through untouched.
 */
export async function handleCommand<S, E extends DecidedEvent>(
  store: EventStore,
  streamId: string,
  decide: (state: S, version: number) => E[],
  options: HandleCommandOptions<S, E>,
): Promise<HandledCommand<S>> {
  return pRetry(
    async () => {
      let appending = false;
      try {
        const loaded = await options.load(streamId);
        if (options.expectedVersion !== undefined && options.expectedVersion !== loaded.version) {
          throw new WrongExpectedVersionError(streamId, options.expectedVersion, loaded.version);
        }
        const decided = decide(loaded.state, loaded.version);
        if (decided.length === 0) return { events: [], version: loaded.version, duplicate: false, decidedOn: loaded };
        const toAppend: NewEvent[] = decided.map((event) => ({
          type: event.type,
          schemaVersion: event.version,
          data: event.data,
          metadata: options.metadata(event, loaded),
        }));
        appending = true;
        const result = await store.append(streamId, toAppend, {
          expectedVersion: loaded.version,
          ...(options.commandId !== undefined ? { commandId: options.commandId } : {}),
        });
        if (!result.duplicate) options.appended?.(streamId, loaded, result.events);
        return { events: result.events, version: result.version, duplicate: result.duplicate, decidedOn: loaded };
      } catch (error) {
        // Only a concurrent writer is worth deciding again for, and only when the caller did not pin a version.
        if (appending && error instanceof WrongExpectedVersionError && options.expectedVersion === undefined) throw error;
        throw new pRetry.AbortError(error as Error);
      }
    },
    { retries: options.retries ?? 4, minTimeout: 1, maxTimeout: 50, factor: 2, randomize: true },
  );
}

/** Loads a stream by folding all of it: the default for streams that stay short (one alert's events). */
export function foldStream<S>(store: EventStore, initial: () => S, evolve: (state: S, event: StoredEvent) => S): (streamId: string) => Promise<StreamState<S>> {
  return async (streamId) => {
    let state = initial();
    let version = 0;
    for (const event of await store.readStream(streamId)) {
      state = evolve(state, event);
      version = event.streamVersion;
    }
    return { state, version };
  };
}
