import { hash } from 'node:crypto';
import { EMPTY_TREE_ROOT, LEAF_PREFIX, leafHash, nodeHash } from '../merkle/merkle-hash';
import type { FrontierState } from '../merkle/merkle-frontier';

/** A compact range as it crosses threads: leaves start … end − 1, and the roots of its subtrees (hex), left to right. */
export interface CompactRangeState {
  start: number;
  end: number;
  roots: string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ALL_LOWER_HEX = /^[0-9a-f]*$/;
const ZERO_HASH = '0'.repeat(64);
/** SHA-256(0x00 ‖ 32 bytes): the prefix stays, the bytes are copied in (merkle-hash.ts's leafHash without a hex string). */
const leafInput = Buffer.alloc(33, LEAF_PREFIX);

/**
 * The RFC 9162 Merkle tree over a run of leaves that may start anywhere (a "compact range", as Certificate
 * Transparency logs call it): the fewest complete, aligned subtrees that cover leaves start … end − 1,
 * left to right. Ranges folded side by side (one per reader thread) join with `append` into the range
 * from leaf 0, whose subtrees are the frontier (merkle-frontier.ts) and give the Merkle Tree Hash: the
 * same root as one fold over every leaf, since each subtree is the same subtree of the same leaves.
 */
export class CompactRange {
  private readonly levels: number[] = [];
  private readonly starts: number[] = [];
  private readonly hashes: Buffer[] = [];
  private size: number;

  constructor(readonly start: number) {
    if (!Number.isSafeInteger(start) || start < 0 || start >= 2 ** 31) throw new Error(`a compact range starts at a leaf 0 … 2^31 − 1, not ${start}`);
    this.size = start;
  }

  static of(state: CompactRangeState): CompactRange {
    const range = new CompactRange(state.start);
    // The subtrees of a range are fixed by its ends: the largest aligned one that fits, from the left.
    let at = state.start;
    for (const root of state.roots) {
      if (!SHA256_HEX.test(root)) throw new Error(`a compact range root must be 64 hex characters, not ${JSON.stringify(root)}`);
      let level = 0;
      while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= state.end) level++;
      range.push(level, at, Buffer.from(root, 'hex'));
      at += 2 ** level;
    }
    if (at !== state.end || range.hashes.length !== state.roots.length) {
      throw new Error(`${state.roots.length} subtree roots do not make the compact range of leaves ${state.start} … ${state.end - 1}`);
    }
    return range;
  }

  /** One past the last leaf. */
  get end(): number {
    return this.size;
  }

  /**
   * Appends the leaf of a stored event, given its stored hash: the hash's 32 bytes, or 32 zero bytes when
   * what is stored is no SHA-256 hex digest (tampered), as CheckpointCheck folds it (libs/audit checkpoint-check.ts).
   */
  appendEventHash(eventHash: string): void {
    this.appendLeaf(leafHash(SHA256_HEX.test(eventHash) ? eventHash : ZERO_HASH));
  }

  /**
   * Appends the leaves of the stored hashes of the next events, as `appendEventHash` one by one, decoded
   * in one go (a reader thread's batch); `after` is called after each leaf (to keep the range at a size).
   */
  appendEventHashes(eventHashes: readonly string[], after?: () => void): void {
    let text = '';
    for (let i = 0; i < eventHashes.length; i++) text += eventHashes[i].length === 64 ? eventHashes[i] : ZERO_HASH;
    // Lower-case hex throughout: one decode; else (some stored hash is no digest) each hash on its own.
    const bytes = ALL_LOWER_HEX.test(text) ? Buffer.from(text, 'hex') : null;
    for (let i = 0; i < eventHashes.length; i++) {
      if (bytes) {
        bytes.copy(leafInput, 1, i * 32, i * 32 + 32);
        this.push(0, this.size, hash('sha256', leafInput, 'buffer'));
      } else this.appendEventHash(eventHashes[i]);
      after?.();
    }
  }

  /** Appends a leaf already hashed (SHA-256(0x00 ‖ entry)). */
  appendLeaf(leaf: Buffer): void {
    this.push(0, this.size, leaf);
  }

  /** Appends the range that starts where this one ends (folded elsewhere), as if its leaves were appended here. */
  append(next: CompactRange): this {
    if (next.start !== this.size) throw new Error(`a compact range from leaf ${next.start} cannot follow one that ends before leaf ${this.size}`);
    for (let i = 0; i < next.hashes.length; i++) this.push(next.levels[i], next.starts[i], next.hashes[i]);
    return this;
  }

  copy(): CompactRange {
    const copy = new CompactRange(this.start);
    copy.levels.push(...this.levels);
    copy.starts.push(...this.starts);
    copy.hashes.push(...this.hashes);
    copy.size = this.size;
    return copy;
  }

  /** The Merkle Tree Hash of leaves 0 … end − 1: only a range from leaf 0 has one. */
  root(): Buffer {
    if (this.start !== 0) throw new Error(`a compact range from leaf ${this.start} is no whole tree: it has no root`);
    if (this.hashes.length === 0) return EMPTY_TREE_ROOT;
    let root = this.hashes[this.hashes.length - 1];
    for (let i = this.hashes.length - 2; i >= 0; i--) root = nodeHash(this.hashes[i], root);
    return root;
  }

  rootHex(): string {
    return this.root().toString('hex');
  }

  state(): CompactRangeState {
    return { start: this.start, end: this.size, roots: this.hashes.map((hash) => hash.toString('hex')) };
  }

  /** A range from leaf 0 as the frontier it is (to go on folding with a MerkleFrontier). */
  frontier(): FrontierState {
    if (this.start !== 0) throw new Error(`a compact range from leaf ${this.start} is no frontier`);
    return { treeSize: this.size, roots: this.hashes.map((hash) => hash.toString('hex')) };
  }

  /** Adds a subtree right after the last one, merging it with its left sibling while that is the last one. */
  private push(level: number, start: number, hash: Buffer): void {
    let last = this.hashes.length - 1;
    // Siblings: the same level, the left one at an even index of that level (its right one follows it).
    while (last >= 0 && this.levels[last] === level && ((this.starts[last] >>> level) & 1) === 0) {
      hash = nodeHash(this.hashes[last], hash);
      start = this.starts[last];
      level++;
      this.levels.pop();
      this.starts.pop();
      this.hashes.pop();
      last--;
    }
    this.levels.push(level);
    this.starts.push(start);
    this.hashes.push(hash);
    this.size = start + 2 ** level;
  }
}

/**
 * What a reader thread folded over its range of the log (after, to] (sqlite/parallel-chain-check.ts), taking
 * the event at global position p for leaf p − 1: right only when the range holds every position in it
 * (`leaves` = to − after) and so does every range before it.
 */
export interface RangeFold {
  /** Leaves folded: the events read in the range. */
  leaves: number;
  /** The range folded up to each asked tree size inside it. */
  at: [treeSize: number, range: CompactRangeState][];
  /** The range folded whole. */
  whole: CompactRangeState;
}
