import { TILE_LEAVES, TILE_LEVEL } from './merkle-frontier';
import { EMPTY_TREE_ROOT, leafHash, nodeHash, splitPoint } from './merkle-hash';

/** Where a proof's hashes come from: the log's stored event hashes, and the tile roots kept beside it. */
export interface LeafSource {
  /** Stored hashes (hex) of the events at leaf indexes [start, end), leaf index = global position − 1. */
  eventHashes(start: number, end: number): Promise<string[]>;
  /** Roots (hex) of complete tiles of TILE_LEAVES leaves, by tile index; a tile not kept is absent. */
  tileRoots(first: number, last: number): Promise<Map<number, string>>;
}

/** An RFC 9162 §2.1.3 inclusion proof: the audit path of one leaf in a tree of `treeSize` leaves, bottom-up. */
export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  /** Hex SHA-256 hashes, the leaf's sibling first. */
  hashes: string[];
}

/**
 * Builds inclusion proofs and subtree roots from a log. Tile roots only shorten the work: every
 * hash under a tile that is not kept is computed from the log's own event hashes, and a proof built
 * from a tile that no longer matches the log fails its verification against the signed root.
 */
export class MerkleTreeReader {
  private readonly leafCache = new Map<number, Buffer[]>();
  private readonly rootCache = new Map<string, Buffer>();
  private tiles?: Map<number, string>;

  constructor(
    private readonly source: LeafSource,
    readonly treeSize: number,
  ) {
    if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new Error(`a tree size must be ≥ 0, not ${treeSize}`);
  }

  async root(): Promise<Buffer> {
    return this.treeSize === 0 ? EMPTY_TREE_ROOT : this.subtreeRoot(0, this.treeSize);
  }

  /** The audit path of leaf `leafIndex` (RFC 9162 §2.1.3.1 PATH). */
  async inclusionProof(leafIndex: number): Promise<InclusionProof> {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.treeSize) {
      throw new RangeError(`leaf ${leafIndex} is not in a tree of ${this.treeSize} leaves`);
    }
    const hashes: Buffer[] = [];
    await this.path(leafIndex, 0, this.treeSize, hashes);
    return { leafIndex, treeSize: this.treeSize, hashes: hashes.map((h) => h.toString('hex')) };
  }

  /** Pushes PATH(m, D[start:end]) onto `out`, deepest first. */
  private async path(m: number, start: number, end: number, out: Buffer[]): Promise<void> {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      await this.path(m, start, start + k, out);
      out.push(await this.subtreeRoot(start + k, end));
    } else {
      await this.path(m - k, start + k, end, out);
      out.push(await this.subtreeRoot(start, start + k));
    }
  }

  /** MTH(D[start:end]). */
  private async subtreeRoot(start: number, end: number): Promise<Buffer> {
    const key = `${start}:${end}`;
    const known = this.rootCache.get(key);
    if (known) return known;
    let root: Buffer;
    const n = end - start;
    if (n === 1) {
      root = (await this.tileLeaves(Math.floor(start / TILE_LEAVES)))[start % TILE_LEAVES];
    } else {
      const tile = n === TILE_LEAVES && start % TILE_LEAVES === 0 ? (await this.tileRootsKept()).get(start >> TILE_LEVEL) : undefined;
      if (tile) root = Buffer.from(tile, 'hex');
      else {
        const k = splitPoint(n);
        root = nodeHash(await this.subtreeRoot(start, start + k), await this.subtreeRoot(start + k, end));
      }
    }
    this.rootCache.set(key, root);
    return root;
  }

  /** The leaf hashes of one tile (the last may be partial), read from the log once. */
  private async tileLeaves(tile: number): Promise<Buffer[]> {
    const known = this.leafCache.get(tile);
    if (known) return known;
    const start = tile * TILE_LEAVES;
    const end = Math.min(start + TILE_LEAVES, this.treeSize);
    const hashes = await this.source.eventHashes(start, end);
    if (hashes.length !== end - start) {
      throw new Error(
        `the log holds ${hashes.length} events at leaves ${start}–${end - 1}, not ${end - start}: it no longer covers a tree of ${this.treeSize}`,
      );
    }
    const leaves = hashes.map(leafHash);
    this.leafCache.set(tile, leaves);
    return leaves;
  }

  private async tileRootsKept(): Promise<Map<number, string>> {
    this.tiles ??= await this.source.tileRoots(0, Math.floor(this.treeSize / TILE_LEAVES));
    return this.tiles;
  }
}

/**
 * RFC 9162 §2.1.3.2: true when `proof` leads from the event hash at `leafIndex` to `rootHex` in a tree of
 * `treeSize` leaves. Needs nothing from Vigil: what an inspector runs on an export.
 */
export function verifyInclusion(eventHashHex: string, proof: InclusionProof, rootHex: string): boolean {
  const { leafIndex, treeSize, hashes } = proof;
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize) return false;
  if (!/^[0-9a-f]{64}$/.test(eventHashHex) || !/^[0-9a-f]{64}$/.test(rootHex) || !hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash(eventHashHex);
  for (const hex of hashes) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHex;
}
