import type { PatientState } from '@vigil/domain';
import type { SnapshotLog, StoredEvent, StreamSnapshot } from '@vigil/event-store';
import type { PatientFoldSnapshot } from './fold-patient-at';

/**
 * The kind of snapshot (snapshot-log.ts) a patient fold is kept as, with the shape of its state: change
 * it with any change to what the fold keeps (PatientState, evolve), so that older snapshots are ignored
 * and folded again from the log (docs/snapshots.md).
 */
export const PATIENT_SNAPSHOT_KIND = 'patient-fold/1';

/** A snapshot every this many events of a patient's stream, unless told otherwise. */
export const SNAPSHOT_EVERY = 1_000;

/** Snapshot versions held in memory across patients, unless told otherwise (about as many events as the replay cache holds). */
export const SNAPSHOT_MEMORY_EVENTS = 40_000;

export interface PatientSnapshotsOptions {
  /** Where snapshots are kept beside the log; without it they live in memory only. */
  log?: SnapshotLog;
  every?: number;
  memoryEvents?: number;
  /** A snapshot that could not be saved (the replay answered all the same). */
  onSaveError?: (error: unknown, streamId: string) => void;
}

/** The stored form of a patient fold snapshot (its `state` column). */
interface StoredFold {
  state: PatientState;
  eventsFolded: number;
  lastFolded: number;
  latestOccurredMs: number | null;
  latestRecordedMs: number | null;
  left: string[];
}

/**
 * Snapshots of patient folds for replays: the latest per stream in memory (least recently used dropped
 * first; a fold of the whole stream as it was last replayed, at any version), and one every N events
 * saved beside the log when the store keeps snapshots, read from there after a restart. A snapshot is
 * handed out only when the stream's event at its version still has its hash; one that does not hold is
 * dropped (the caller folds from the log, and the next snapshot replaces it). Owned by its caller: a
 * replay without it folds whole streams and answers the same.
 */
export class PatientSnapshots {
  readonly every: number;
  private readonly memory = new Map<string, PatientFoldSnapshot>();
  private held = 0;
  /** Streams whose stored snapshot was read (or found missing) at a stream length: read again only when the stream grew past the next one. */
  private readonly lookedUp = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: PatientSnapshotsOptions = {}) {
    this.every = options.every ?? SNAPSHOT_EVERY;
  }

  /** The latest snapshot of the stream that holds for it (its hash where the stream has it), if any. */
  async latest(streamId: string, stream: readonly StoredEvent[]): Promise<PatientFoldSnapshot | undefined> {
    const inMemory = this.memory.get(streamId);
    if (inMemory) {
      if (matches(inMemory, stream)) {
        this.touch(streamId, inMemory);
        return inMemory;
      }
      this.drop(streamId);
    }
    const log = this.options.log;
    if (!log || stream.length < this.every) return undefined;
    const seenAt = this.lookedUp.get(streamId);
    if (seenAt !== undefined && Math.floor(seenAt / this.every) === Math.floor(stream.length / this.every)) return undefined;
    this.lookedUp.set(streamId, stream.length);
    const stored = await log.latest(streamId, PATIENT_SNAPSHOT_KIND);
    const snapshot = stored ? foldOf(stored) : undefined;
    if (!snapshot || !matches(snapshot, stream)) return undefined;
    this.keep(streamId, snapshot);
    return snapshot;
  }

  /** Keeps a snapshot a fold took every N events: in memory (unless a later one is held), and beside the log in the background. */
  take(streamId: string, snapshot: PatientFoldSnapshot): void {
    this.remember(streamId, snapshot);
    const log = this.options.log;
    if (!log) return;
    const saving = log
      .save(storedOf(streamId, snapshot))
      .catch((error: unknown) => this.options.onSaveError?.(error, streamId))
      .finally(() => this.pending.delete(saving));
    this.pending.add(saving);
  }

  /** Keeps a fold of the stream in memory only (a fold of the whole stream as it is now), unless a later one is held. */
  remember(streamId: string, snapshot: PatientFoldSnapshot): void {
    const current = this.memory.get(streamId);
    if (current && current.version >= snapshot.version) return;
    this.keep(streamId, snapshot);
  }

  /** Settles once every snapshot taken so far is saved (or failed to be). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private keep(streamId: string, snapshot: PatientFoldSnapshot): void {
    this.drop(streamId);
    this.memory.set(streamId, snapshot);
    this.held += snapshot.version;
    const bound = this.options.memoryEvents ?? SNAPSHOT_MEMORY_EVENTS;
    for (const [oldest] of this.memory) {
      if (this.held <= bound || oldest === streamId) break;
      this.drop(oldest);
    }
  }

  private touch(streamId: string, snapshot: PatientFoldSnapshot): void {
    this.memory.delete(streamId);
    this.memory.set(streamId, snapshot);
  }

  private drop(streamId: string): void {
    const snapshot = this.memory.get(streamId);
    if (!snapshot) return;
    this.memory.delete(streamId);
    this.held -= snapshot.version;
  }
}

function matches(snapshot: PatientFoldSnapshot, stream: readonly StoredEvent[]): boolean {
  const at = stream[snapshot.version - 1];
  return at !== undefined && at.streamVersion === snapshot.version && at.hash === snapshot.hash;
}

function storedOf(streamId: string, snapshot: PatientFoldSnapshot): StreamSnapshot {
  const fold: StoredFold = {
    state: snapshot.state,
    eventsFolded: snapshot.eventsFolded,
    lastFolded: snapshot.lastFolded,
    // JSON has no infinities: a prefix without times keeps null.
    latestOccurredMs: Number.isFinite(snapshot.latestOccurredMs) ? snapshot.latestOccurredMs : null,
    latestRecordedMs: Number.isFinite(snapshot.latestRecordedMs) ? snapshot.latestRecordedMs : null,
    left: snapshot.left,
  };
  return {
    streamId,
    kind: PATIENT_SNAPSHOT_KIND,
    streamVersion: snapshot.version,
    hash: snapshot.hash,
    state: JSON.stringify(fold),
    takenAt: new Date().toISOString(),
  };
}

/** A stored snapshot back as a fold, or undefined when its text is not one (it is then folded again from the log). */
function foldOf(stored: StreamSnapshot): PatientFoldSnapshot | undefined {
  try {
    const fold = JSON.parse(stored.state) as StoredFold;
    if (!isStoredFold(fold, stored.streamVersion)) return undefined;
    return {
      version: stored.streamVersion,
      hash: stored.hash,
      state: fold.state,
      eventsFolded: fold.eventsFolded,
      lastFolded: fold.lastFolded,
      latestOccurredMs: fold.latestOccurredMs ?? -Infinity,
      latestRecordedMs: fold.latestRecordedMs ?? -Infinity,
      left: fold.left,
    };
  } catch {
    return undefined;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isCount = (value: unknown, atMost: number): boolean => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= atMost;
const isTimeOrNull = (value: unknown): boolean => value === null || Number.isFinite(value);

/**
 * Whether a stored text has the shape of a fold of `version` events (a row cut short or edited by hand
 * has not): such a row is ignored and the replay folds from the log, instead of failing on it.
 */
function isStoredFold(fold: unknown, version: number): fold is StoredFold {
  if (!isObject(fold) || !isObject(fold.state)) return false;
  const { state } = fold;
  return (
    ['labs', 'doses', 'adverseEvents', 'followUps'].every((records) => isObject(state[records])) &&
    Array.isArray(state.treatment) &&
    isCount(fold.lastFolded, version) &&
    isCount(fold.eventsFolded, fold.lastFolded as number) &&
    isTimeOrNull(fold.latestOccurredMs) &&
    isTimeOrNull(fold.latestRecordedMs) &&
    Array.isArray(fold.left) &&
    fold.left.every((id) => typeof id === 'string')
  );
}
