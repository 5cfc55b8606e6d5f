/**
 * A fold of one stream up to a version, kept beside the log so that a reader folds only the tail after
 * it. Derived from the log, never trusted over it: it holds only while the stream's event at
 * `streamVersion` still has `hash` (a hash chain covers every event before it), and a reader that finds
 * it does not hold folds from the log and replaces it.
 */
export interface StreamSnapshot {
  streamId: string;
  /** What was folded, in which shape (e.g. `patient-fold/1`): a reader ignores a kind it does not know. */
  kind: string;
  /** The last stream version folded in. */
  streamVersion: number;
  /** Hash of the stream's event at `streamVersion`. */
  hash: string;
  /** The fold, as the kind's owner serialised it. */
  state: string;
  /** ISO-8601 UTC. */
  takenAt: string;
}

/**
 * Where an adapter keeps snapshots: one per stream and kind, the latest. Saving never moves a snapshot
 * back to an earlier version of the same chain; saving one whose hash differs at the same or a later
 * version replaces it (the log changed under the old one: the new one is folded from the log as it is).
 */
export interface SnapshotLog {
  latest(streamId: string, kind: string): Promise<StreamSnapshot | null>;
  save(snapshot: StreamSnapshot): Promise<void>;
  /** Removes every snapshot of a kind (after a change of the fold), answering how many there were. */
  clear(kind: string): Promise<number>;
}
