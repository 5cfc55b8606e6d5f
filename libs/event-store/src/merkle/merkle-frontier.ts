import { EMPTY_TREE_ROOT, leafHash, nodeHash } from './merkle-hash';

/** Leaves per tile: complete subtrees of 2^8 leaves whose roots are kept to answer inclusion proofs quickly. */
export const TILE_LEVEL = 8;
export const TILE_LEAVES = 1 << TILE_LEVEL;
/** Bit operations on the size stay exact below 2^31 leaves. */
const MAX_LEAVES = 2 ** 31 - 1;

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
 *
 * `onTile` is told each time a complete, aligned subtree of TILE_LEAVES leaves is finished (inclusion
 * proofs read those instead of every leaf below them).
 */
export class MerkleFrontier {
  private size: number;
  private readonly roots: Buffer[];

  constructor(
    state: FrontierState = { treeSize: 0, roots: [] },
    private readonly onTile?: (index: number, root: Buffer) => void,
  ) {
    if (!Number.isSafeInteger(state.treeSize) || state.treeSize < 0) throw new Error(`a frontier's tree size must be ≥ 0, not ${state.treeSize}`);
    if (state.roots.length !== popCount(state.treeSize)) {
      throw new Error(`a frontier of ${state.treeSize} leaves has ${popCount(state.treeSize)} subtree roots, not ${state.roots.length}`);
    }
    this.size = state.treeSize;
    this.roots = state.roots.map((root) => {
      if (!/^[0-9a-f]{64}$/.test(root)) throw new Error(`a frontier root must be 64 hex characters, not ${JSON.stringify(root)}`);
      return Buffer.from(root, 'hex');
    });
  }

  get treeSize(): number {
    return this.size;
  }

  /** Appends the leaf of a stored event, given its hash in hex. */
  appendEventHash(eventHashHex: string): void {
    this.appendLeaf(leafHash(eventHashHex));
  }

  /** Appends a leaf already hashed (SHA-256(0x00 ‖ entry)). */
  appendLeaf(leaf: Buffer): void {
    if (this.size >= MAX_LEAVES) throw new Error(`the Merkle frontier holds at most ${MAX_LEAVES} leaves`);
    let node = leaf;
    let level = 0;
    while ((this.size >> level) & 1) {
      node = nodeHash(this.roots.pop() as Buffer, node);
      level++;
      if (level === TILE_LEVEL && this.onTile) this.onTile(((this.size + 1) >> TILE_LEVEL) - 1, node);
    }
    this.roots.push(node);
    this.size++;
  }

  /** The Merkle Tree Hash of the leaves so far (SHA-256 of nothing for no leaf). */
  root(): Buffer {
    if (this.roots.length === 0) return EMPTY_TREE_ROOT;
    let root = this.roots[this.roots.length - 1];
    for (let i = this.roots.length - 2; i >= 0; i--) root = nodeHash(this.roots[i], root);
    return root;
  }

  rootHex(): string {
    return this.root().toString('hex');
  }

  state(): FrontierState {
    return { treeSize: this.size, roots: this.roots.map((root) => root.toString('hex')) };
  }
}

function popCount(n: number): number {
  let count = 0;
  for (let rest = n; rest > 0; rest = Math.floor(rest / 2)) count += rest % 2;
  return count;
}
