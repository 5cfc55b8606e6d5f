import type { CheckpointLog } from './checkpoints/checkpoint-log';
import type { RangeFold } from './checkpoints/compact-range';
import type { SnapshotLog } from './snapshots/snapshot-log';

/**
 * The EventStore port. Every adapter (sqlite, postgres, eventstoredb) implements it and passes
 * the one contract suite in `testing/event-store.contract.ts`.
 *
 * Numbering: a stream's first event has version 1; an empty stream has version 0.
 * Global positions start at 1 and grow in commit order, without reordering, across all streams.
 * SQLite and PostgreSQL number them densely (1, 2, 3…); EventStoreDB uses its $all log position,
 * which grows but leaves gaps. Never compute with them: compare them, store them as checkpoints.
 */

/** Who did what, when and why: carried by every stored event (the audit trail, docs/safety-rules.md §6). */
export interface EventMetadata {
  /** Verified user id (JWT `sub`) of whoever caused the event. */
  userId: string;
  userName?: string;
  role: string;
  /** Site the user acted for (the patient's site for clinical records), when there is one. */
  siteId?: string | null;
  /** When it happened clinically (administration, collection, onset…), ISO-8601 UTC. */
  occurredAt: string;
  /** When Vigil recorded it, ISO-8601 UTC, set by the store at append time. */
  recordedAt: string;
  correlationId: string;
  causationId?: string | null;
  /** The command that produced the event (Idempotency-Key or generated). */
  commandId: string;
  /** Why, for corrections, voids and other changes. */
  reason?: string;
}

/** What a caller hands to `append`: the store fills in ids, versions, positions, recordedAt and hashes. */
export interface NewEvent<D = unknown> {
  /**
   * Optional: a caller may fix the id (a UUID, unique across the whole log: DuplicateEventIdError
   * otherwise); else the store makes one (UUID v4; EventStoreDB: v5 named after the command).
   */
  eventId?: string;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: Omit<EventMetadata, 'recordedAt' | 'commandId'> & { recordedAt?: string };
}

/** The envelope every stored event carries. */
export interface StoredEvent<D = unknown> {
  eventId: string;
  streamId: string;
  /** 1-based position of the event in its stream. */
  streamVersion: number;
  /** 1-based position of the event in the whole log. */
  globalPosition: number;
  type: string;
  schemaVersion: number;
  data: D;
  metadata: EventMetadata;
  /** SHA-256 (hex) over the canonical envelope, chained to the previous event of the stream. */
  hash: string;
  /** Hash of the previous event in the same stream, null for the first. */
  previousHash: string | null;
}

/**
 * A stored event as its hash chain sees it, read without parsing data or metadata:
 * `[globalPosition, streamId, streamVersion, hash, previousHash, envelope]`, where `envelope` is the
 * exact text `hashEvent` digests (`canonicalEnvelope`), made from the stored bytes. A tuple rather than
 * an object because whole-store verification reads millions of them, one allocation each.
 */
export type ChainRecord = readonly [
  globalPosition: number,
  streamId: string,
  streamVersion: number,
  hash: string,
  previousHash: string | null,
  envelope: string,
];

/** One event where a stream's chain does not hold. */
export interface BrokenLink {
  streamId: string;
  version: number;
  globalPosition: number;
  reason: string;
}

/** The first event of a stream a range verifier saw, kept for the verifier of the range before it to check. */
export interface ChainOpening {
  streamId: string;
  version: number;
  globalPosition: number;
  hash: string;
  previousHash: string | null;
  hashMatches: boolean;
}

/**
 * What a verifier of one range of the log found (`range()` of an open-start verifier), for the verifier
 * of the ranges before it to take in (`absorb`): plain data, so it crosses a worker thread.
 */
export interface ChainRange {
  /** Events checked, openings included. */
  events: number;
  /** Links broken inside the range (the openings not yet judged). */
  broken: BrokenLink[];
  openings: ChainOpening[];
  /** The last (version, hash) of each stream in the range. */
  heads: [streamId: string, version: number, hash: string][];
  lastPosition: number;
}

export type ExpectedVersion =
  /** The stream must be at exactly this version (0 = must not exist yet). */
  | number
  /** No check. */
  | 'any'
  /** The stream must not exist (same as 0). */
  | 'no_stream'
  /** The stream must exist (version ≥ 1). */
  | 'stream_exists';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
  /**
   * Idempotency: a command id already stored returns the first result (`duplicate: true`) and appends
   * nothing, whatever the expected version now. Without one the store makes a UUID; it becomes
   * `metadata.commandId` of every event either way. A rejected append is not remembered.
   */
  commandId?: string;
}

export interface AppendResult {
  streamId: string;
  /** The events this command stored (the first result's events for a repeated command). */
  events: StoredEvent[];
  /** The stream's version after the append. */
  version: number;
  /** True when the command id had been seen before and nothing was appended. */
  duplicate: boolean;
}

export interface ReadStreamOptions {
  /** Include events from this version on (default 1). */
  fromVersion?: number;
  /** Include events up to and including this version. */
  toVersion?: number;
}

export interface ReadAllOptions {
  /** Include events whose global position is strictly greater than this (default 0: everything). */
  after?: number;
  /** Events per batch (default 1000). */
  batchSize?: number;
  /** Stop at this global position (inclusive). */
  to?: number;
  /**
   * The event types the reader wants (SubscribeOptions.types: the same hint). Every event of these types is
   * delivered, in order; an adapter may leave the others out of a batch, except each batch's last event, so the
   * reader knows how far the log was read. Default: every event.
   */
  types?: readonly string[];
}

export interface SubscribeOptions {
  /** Catch up from events strictly after this global position, then follow live. */
  after: number;
  batchSize?: number;
  /**
   * The event types the subscriber reads (a projection's `handles`). A hint: every event of these
   * types is delivered, in order; an adapter may leave events of other types out of a batch (not
   * reading them spares their parsing), except the batch's last event, which is always the last one
   * read, so the subscription's position moves past what was left out. Default: every event.
   */
  types?: readonly string[];
}

/**
 * A running subscription: the handler is called with batches in global order, one at a time
 * (the next batch waits for the previous handler's promise). A handler that throws stops the
 * subscription; `closed` rejects with that error.
 */
export interface Subscription {
  /**
   * Global position of the last event of the last batch the handler finished (its promise resolved):
   * a safe checkpoint. A batch whose handler threw does not count.
   */
  readonly position: number;
  stop(): Promise<void>;
  /** Settles when the subscription ends (resolves on stop, rejects on a handler or store failure). */
  readonly closed: Promise<void>;
}

export type SubscriptionHandler = (events: StoredEvent[]) => Promise<void> | void;

export interface EventStore {
  append(streamId: string, events: NewEvent[], options: AppendOptions): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]>;
  /** Current version of a stream (0 when it has no events). */
  streamVersion(streamId: string): Promise<number>;
  /** Every event after a global position, in order, in batches: memory stays flat. */
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent[]>;
  /**
   * Optional: what `readAll` reads, as chain records, for whole-store verification. Offered by an
   * adapter that keeps the canonical texts that were hashed, so it can hand them over as stored instead
   * of parsing them; verification falls back to `readAll` elsewhere.
   */
  readChainRecords?(options?: ReadAllOptions): AsyncIterable<ChainRecord[]>;
  /**
   * Optional: checks the hash chains of ranges of global positions (after, to], each on a thread of its
   * own, answering each range's report (an open-start ChainVerifier's) in the order given, for
   * whole-store verification on several cores. Offered by an adapter whose log other threads can open
   * (a SQLite file); verification reads through `readChainRecords` or `readAll` elsewhere. With
   * `treeSizes`, each thread also folds the Merkle tree over its range's event hashes (checkpoints/compact-range.ts).
   */
  readonly checkChainRanges?: (
    ranges: readonly { after: number; to: number }[],
    options?: { batchSize?: number; onProgress?: (progress: { events: number; position: number }) => void; treeSizes?: readonly number[] },
  ) => Promise<(ChainRange & { fold?: RangeFold })[]>;
  /**
   * Optional: signed checkpoints over the log, kept beside it (checkpoints/checkpoint-log.ts). Offered by
   * adapters with dense global positions (SQLite, PostgreSQL); absent elsewhere (EventStoreDB).
   */
  readonly checkpoints?: CheckpointLog;
  /**
   * Optional: snapshots of stream folds, kept beside the log (snapshots/snapshot-log.ts): derived from it,
   * verified against it by hash, never trusted over it. Readers without them fold whole streams.
   */
  readonly snapshots?: SnapshotLog;
  /** Global position of the last event (0 for an empty store). */
  headPosition(): Promise<number>;
  /** The events a command stored, if its id has been seen (idempotency look-up). */
  findCommand(commandId: string): Promise<StoredEvent[] | null>;
  subscribe(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /**
   * Optional: another thread or process sharing this log says it committed appends; the store's waiting
   * subscriptions read at once instead of at their next poll (the embedded default's projector thread,
   * README "Both cores"). Offered by adapters that otherwise learn of others' writes only by polling (SQLite).
   */
  wakeSubscriptions?(): void;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');
