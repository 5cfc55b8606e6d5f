import { EMPTY_TREE_ROOT } from '../merkle/merkle-hash';
import type { FrontierState } from '../merkle/merkle-frontier';
import { hexToWords, leafWords, nodeWords, wordsToHex } from './merkle-words';

/** A compact range as it crosses threads: leaves start … end − 1, and the roots of its subtrees (hex), left to right. */
export interface CompactRangeState {
  start: number;
  end: number;
  roots: string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ALL_LOWER_HEX = /^[0-9a-f]*$/;
const ZERO_HASH = '0'.repeat(64);
/** Subtrees a range can hold: up to 31 on each side of its largest, below 2^31 leaves; and one being merged. */
const MAX_SUBTREES = 64;
/** The digest a leaf is made of, as words (merkle-words.ts). */
const entry = new Int32Array(8);

/**
 * The RFC 9162 Merkle tree over a run of leaves that may start anywhere (a "compact range", as Certificate
 * Transparency logs call it): the fewest complete, aligned subtrees that cover leaves start … end − 1,
 * left to right. Ranges folded side by side (one per reader thread) join with `append` into the range
 * from leaf 0, whose subtrees are the frontier (merkle-frontier.ts) and give the Merkle Tree Hash: the
 * same root as one fold over every leaf, since each subtree is the same subtree of the same leaves.
 * Its hashes are held as words and computed by merkle-words.ts: no Buffer, no call into OpenSSL, per leaf.
 */
export class CompactRange {
  private readonly levels = new Int32Array(MAX_SUBTREES);
  private readonly starts = new Float64Array(MAX_SUBTREES);
  /** The root of subtree i at words 8i … 8i + 7; the slot after the last is where the next one is built. */
  private readonly words = new Int32Array(8 * MAX_SUBTREES);
  private count = 0;
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
      if (at >= state.end || range.count >= MAX_SUBTREES - 1) break;
      let level = 0;
      while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= state.end) level++;
      hexToWords(root, range.words, range.count * 8);
      range.push(level, at);
      at += 2 ** level;
    }
    if (at !== state.end || range.count !== state.roots.length) {
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
    hexToWords(SHA256_HEX.test(eventHash) ? eventHash : ZERO_HASH, entry, 0);
    leafWords(entry, 0, this.words, this.count * 8);
    this.push(0, this.size);
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
        for (let w = 0; w < 8; w++) entry[w] = bytes.readInt32BE(i * 32 + w * 4);
        leafWords(entry, 0, this.words, this.count * 8);
        this.push(0, this.size);
      } else this.appendEventHash(eventHashes[i]);
      after?.();
    }
  }

  /** Appends a leaf already hashed (SHA-256(0x00 ‖ entry)). */
  appendLeaf(leaf: Uint8Array): void {
    const bytes = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength);
    for (let w = 0; w < 8; w++) this.words[this.count * 8 + w] = bytes.readInt32BE(w * 4);
    this.push(0, this.size);
  }

  /** Appends the range that starts where this one ends (folded elsewhere), as if its leaves were appended here. */
  append(next: CompactRange): this {
    if (next.start !== this.size) throw new Error(`a compact range from leaf ${next.start} cannot follow one that ends before leaf ${this.size}`);
    for (let i = 0; i < next.count; i++) {
      this.words.set(next.words.subarray(i * 8, i * 8 + 8), this.count * 8);
      this.push(next.levels[i], next.starts[i]);
    }
    return this;
  }

  copy(): CompactRange {
    const copy = new CompactRange(this.start);
    copy.levels.set(this.levels);
    copy.starts.set(this.starts);
    copy.words.set(this.words);
    copy.count = this.count;
    copy.size = this.size;
    return copy;
  }

  /** The Merkle Tree Hash of leaves 0 … end − 1: only a range from leaf 0 has one. */
  root(): Buffer {
    if (this.start !== 0) throw new Error(`a compact range from leaf ${this.start} is no whole tree: it has no root`);
    if (this.count === 0) return EMPTY_TREE_ROOT;
    const root = this.words.slice((this.count - 1) * 8, this.count * 8);
    for (let i = this.count - 2; i >= 0; i--) nodeWords(this.words, i * 8, root, 0, root, 0);
    return Buffer.from(wordsToHex(root, 0), 'hex');
  }

  rootHex(): string {
    return this.root().toString('hex');
  }

  state(): CompactRangeState {
    return { start: this.start, end: this.size, roots: this.roots() };
  }

  /** A range from leaf 0 as the frontier it is (to go on folding with a MerkleFrontier). */
  frontier(): FrontierState {
    if (this.start !== 0) throw new Error(`a compact range from leaf ${this.start} is no frontier`);
    return { treeSize: this.size, roots: this.roots() };
  }

  private roots(): string[] {
    return Array.from({ length: this.count }, (_, i) => wordsToHex(this.words, i * 8));
  }

  /**
   * Adds the subtree whose root is in the slot after the last one, merging it with its left sibling while
   * that is the last one (siblings: the same level, the left one at an even index of that level).
   */
  private push(level: number, start: number): void {
    let last = this.count - 1;
    while (last >= 0 && this.levels[last] === level && ((this.starts[last] >>> level) & 1) === 0) {
      nodeWords(this.words, last * 8, this.words, (last + 1) * 8, this.words, last * 8);
      start = this.starts[last];
      level++;
      last--;
    }
    this.levels[last + 1] = level;
    this.starts[last + 1] = start;
    this.count = last + 2;
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
