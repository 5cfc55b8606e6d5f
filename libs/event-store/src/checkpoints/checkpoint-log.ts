import type { FrontierState } from '../merkle/merkle-frontier';
import type { LeafSource } from '../merkle/merkle-proofs';

/**
 * A signed tree head over the global log (RFC 9162's idea, Vigil's format): the Merkle Tree Hash of
 * the first `treeSize` events, signed with Ed25519 by a key kept outside the database.
 */
export interface SignedCheckpoint {
  /** Events covered: leaves 0 … treeSize − 1, i.e. global positions 1 … treeSize. */
  treeSize: number;
  /** Hex SHA-256 Merkle Tree Hash. */
  rootHash: string;
  /** ISO-8601 UTC. */
  signedAt: string;
  /** Hex SHA-256 of the signing public key (its DER SubjectPublicKeyInfo). */
  keyId: string;
  /** Base64 Ed25519 signature of the checkpoint's text (libs/audit checkpoint-text.ts). */
  signature: string;
}

/** Most checkpoints one `list` call answers. */
export const CHECKPOINT_PAGE_MAX = 1000;

/**
 * Where an adapter keeps checkpoints, beside the log they cover: their own append-only table, the
 * Merkle frontier at the latest one, and the roots of finished tiles (both derived from the log, rebuilt
 * from it when missing, never trusted over it), and how far each channel has published them.
 *
 * Leaf i is the event at global position i + 1: only adapters that number positions densely (SQLite,
 * PostgreSQL) offer a checkpoint log.
 */
export interface CheckpointLog extends LeafSource {
  /** The frontier persisted with the latest checkpoint, or null when there is none (or it was removed). */
  frontier(): Promise<FrontierState | null>;
  /**
   * Stores a checkpoint, the frontier at its tree size and the tiles finished since the previous one,
   * atomically. Checkpoints only grow: false, and nothing stored, when one of this size or larger exists
   * (another node got there first).
   */
  record(checkpoint: SignedCheckpoint, frontier: FrontierState, tiles: ReadonlyMap<number, string>): Promise<boolean>;
  /** Checkpoints with a tree size above `after` (default 0), smallest first, at most `limit` (≤ CHECKPOINT_PAGE_MAX). */
  list(after?: number, limit?: number): Promise<SignedCheckpoint[]>;
  latest(): Promise<SignedCheckpoint | null>;
  /** The tree size of the last checkpoint a channel published (0: none). */
  publishedUpTo(channel: string): Promise<number>;
  markPublished(channel: string, treeSize: number): Promise<void>;
}
