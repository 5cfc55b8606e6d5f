import { hexToWords, leafWords, nodeWords, wordsToHex } from '../checkpoints/merkle-words';
import { EMPTY_TREE_ROOT } from './merkle-hash';

/** Leaves per tile: complete subtrees of 2^8 leaves whose roots are kept to answer inclusion proofs quickly. */
export const TILE_LEVEL = 8;
export const TILE_LEAVES = 1 << TILE_LEVEL;
/** Bit operations on the size stay exact below 2^31 leaves. */
const MAX_LEAVES = 2 ** 31 - 1;
/** Subtree roots a frontier below 2^31 leaves holds (one per set bit), and the slot where the next is built. */
const SLOTS = 32;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const HEX = /^[0-9a-fA-F]*$/;

/** A frontier as it is persisted beside the log: the tree size and its subtree roots (hex), largest first. */
export interface FrontierState {
  treeSize: number;
  roots: string[];
}

/**
 * The Merkle tree over the global log, kept incrementally in O(log n) memory: the roots of the complete
 * subtrees that make up its leaves, one per set bit of the tree size, largest (leftmost) first (RFC 9162's
 * tree, as Certificate Transparency logs keep their "compact range"). Appending a leaf merges equal-sized
 * subtrees from the right: amortised, two hashes per leaf. Its root is the RFC 9162 Merkle Tree Hash.
 * The roots are held as words and hashed by merkle-words.ts (no Buffer and no call into OpenSSL per hash:
 * a third of the time per leaf), so the checkpointer folding beside appends takes little from them.
 *
 * `onTile` is told each time a complete, aligned subtree of TILE_LEAVES leaves is finished (inclusion
 * proofs read those instead of every leaf below them).
 */
export class MerkleFrontier {
  private size: number;
  /** Subtree roots held: root i at words 8i … 8i + 7; slot `count` is where a new leaf is built. */
  private count: number;
  private readonly words = new Int32Array(8 * SLOTS);

  constructor(
    state: FrontierState = { treeSize: 0, roots: [] },
    private readonly onTile?: (index: number, root: Buffer) => void,
  ) {
    if (!Number.isSafeInteger(state.treeSize) || state.treeSize < 0 || state.treeSize > MAX_LEAVES) {
      throw new Error(`a frontier's tree size must be 0 … ${MAX_LEAVES}, not ${state.treeSize}`);
    }
    if (state.roots.length !== popCount(state.treeSize)) {
      throw new Error(`a frontier of ${state.treeSize} leaves has ${popCount(state.treeSize)} subtree roots, not ${state.roots.length}`);
    }
    state.roots.forEach((root, i) => {
      if (!/^[0-9a-f]{64}$/.test(root)) throw new Error(`a frontier root must be 64 hex characters, not ${JSON.stringify(root)}`);
      hexToWords(root, this.words, i * 8);
    });
    this.size = state.treeSize;
    this.count = state.roots.length;
  }

  get treeSize(): number {
    return this.size;
  }

  /** Appends the leaf of a stored event, given its hash in hex. */
  appendEventHash(eventHashHex: string): void {
    if (!SHA256_HEX.test(eventHashHex)) throw new Error(`not a SHA-256 hex digest: ${JSON.stringify(eventHashHex)}`);
    this.assertRoom();
    hexToWords(eventHashHex, this.words, this.count * 8);
    leafWords(this.words, this.count * 8, this.words, this.count * 8);
    this.merge();
  }

  /** Appends the leaves of the next events' hashes (hex), as `appendEventHash` one by one, decoded in one go. */
  appendEventHashes(eventHashesHex: readonly string[]): void {
    const text = eventHashesHex.join('');
    if (text.length !== eventHashesHex.length * 64 || !HEX.test(text)) {
      // Some hash is no digest: one by one, so the leaves before it are appended and it throws, naming it.
      for (const hash of eventHashesHex) this.appendEventHash(hash);
      return;
    }
    const bytes = Buffer.from(text, 'hex');
    for (let i = 0; i < eventHashesHex.length; i++) {
      this.assertRoom();
      const slot = this.count * 8;
      for (let w = 0; w < 8; w++) this.words[slot + w] = bytes.readInt32BE(i * 32 + w * 4);
      leafWords(this.words, slot, this.words, slot);
      this.merge();
    }
  }

  /** Appends a leaf already hashed (SHA-256(0x00 ‖ entry)). */
  appendLeaf(leaf: Uint8Array): void {
    if (leaf.byteLength !== 32) throw new Error(`a leaf hash has 32 bytes, not ${leaf.byteLength}`);
    this.assertRoom();
    const bytes = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength);
    for (let w = 0; w < 8; w++) this.words[this.count * 8 + w] = bytes.readInt32BE(w * 4);
    this.merge();
  }

  /** The Merkle Tree Hash of the leaves so far (SHA-256 of nothing for no leaf). */
  root(): Buffer {
    if (this.count === 0) return EMPTY_TREE_ROOT;
    const root = this.words.slice((this.count - 1) * 8, this.count * 8);
    for (let i = this.count - 2; i >= 0; i--) nodeWords(this.words, i * 8, root, 0, root, 0);
    return wordsToBuffer(root, 0);
  }

  rootHex(): string {
    return this.root().toString('hex');
  }

  state(): FrontierState {
    return { treeSize: this.size, roots: Array.from({ length: this.count }, (_, i) => wordsToHex(this.words, i * 8)) };
  }

  private assertRoom(): void {
    if (this.size >= MAX_LEAVES) throw new Error(`the Merkle frontier holds at most ${MAX_LEAVES} leaves`);
  }

  /** Takes the leaf built in slot `count` in, merging it with the subtrees of its size from the right. */
  private merge(): void {
    let level = 0;
    while ((this.size >> level) & 1) {
      const left = (this.count - 1) * 8;
      nodeWords(this.words, left, this.words, this.count * 8, this.words, left);
      this.count--;
      level++;
      if (level === TILE_LEVEL && this.onTile) this.onTile(((this.size + 1) >> TILE_LEVEL) - 1, wordsToBuffer(this.words, left));
    }
    this.count++;
    this.size++;
  }
}

function wordsToBuffer(words: Int32Array, offset: number): Buffer {
  const bytes = Buffer.allocUnsafe(32);
  for (let w = 0; w < 8; w++) bytes.writeInt32BE(words[offset + w], w * 4);
  return bytes;
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
