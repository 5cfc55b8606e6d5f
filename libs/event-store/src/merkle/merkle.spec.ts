import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { MerkleFrontier, TILE_LEAVES } from './merkle-frontier';
import { LeafSource, MerkleTreeReader, verifyInclusion } from './merkle-proofs';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** MTH written from RFC 9162 §2.1.1, recursively over leaf data: the oracle. */
function mth(data: Buffer[]): Buffer {
  if (data.length === 0) return sha256();
  if (data.length === 1) return sha256(Buffer.from([0]), data[0]);
  let k = 1;
  while (k * 2 < data.length) k *= 2;
  return sha256(Buffer.from([1]), mth(data.slice(0, k)), mth(data.slice(k)));
}

const eventHashes = (n: number) => Array.from({ length: n }, (_, i) => createHash('sha256').update(`event ${i}`).digest('hex'));

/** A log held in memory, with the tiles a frontier finished while reading it (or none). */
function memorySource(hashes: string[], withTiles: boolean): LeafSource {
  const tiles = new Map<number, string>();
  if (withTiles) {
    const frontier = new MerkleFrontier(undefined, (index, root) => tiles.set(index, root.toString('hex')));
    hashes.forEach((h) => frontier.appendEventHash(h));
  }
  return {
    eventHashes: async (start, end) => hashes.slice(start, end),
    tileRoots: async (first, last) => new Map([...tiles].filter(([i]) => i >= first && i < last)),
  };
}

describe('the Merkle tree over the global log (RFC 9162)', () => {
  // Certificate Transparency's reference vectors: leaves "", 00, 10, 2021, 3031, 40414243, 50…57, 60…6f.
  it('gives the roots of the RFC 6962 reference tree of 1 to 8 leaves', () => {
    const data = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((hex) => Buffer.from(hex, 'hex'));
    const roots = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    const frontier = new MerkleFrontier();
    data.forEach((leaf, i) => {
      frontier.appendLeaf(sha256(Buffer.from([0]), leaf));
      expect(frontier.rootHex()).toBe(roots[i]);
      expect(mth(data.slice(0, i + 1)).toString('hex')).toBe(roots[i]);
    });
    expect(new MerkleFrontier().rootHex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes the 32 bytes of each event hash as a leaf, and keeps the root of any size equal to the recursive definition', () => {
    const hashes = eventHashes(600);
    const frontier = new MerkleFrontier();
    for (let n = 1; n <= hashes.length; n++) {
      frontier.appendEventHash(hashes[n - 1]);
      if (n < 40 || n % 37 === 0 || n === 256 || n === 512 || n === 600) {
        expect(frontier.rootHex()).toBe(mth(hashes.slice(0, n).map((h) => Buffer.from(h, 'hex'))).toString('hex'));
      }
    }
  });

  it('resumes from its persisted state exactly where it stopped', () => {
    const hashes = eventHashes(300);
    const whole = new MerkleFrontier();
    hashes.forEach((h) => whole.appendEventHash(h));
    const first = new MerkleFrontier();
    hashes.slice(0, 123).forEach((h) => first.appendEventHash(h));
    const resumed = new MerkleFrontier(JSON.parse(JSON.stringify(first.state())));
    hashes.slice(123).forEach((h) => resumed.appendEventHash(h));
    expect(resumed.state()).toEqual(whole.state());
    expect(resumed.rootHex()).toBe(whole.rootHex());
  });

  it('refuses a persisted state whose roots do not fit its size, or a leaf that is not a SHA-256 digest', () => {
    expect(() => new MerkleFrontier({ treeSize: 3, roots: [eventHashes(1)[0]] })).toThrow(/2 subtree roots, not 1/);
    expect(() => new MerkleFrontier({ treeSize: 1, roots: ['xyz'] })).toThrow(/64 hex/);
    expect(() => new MerkleFrontier().appendEventHash('abc')).toThrow(/not a SHA-256 hex digest/);
  });

  it('appends a batch of event hashes as it appends them one by one, tiles included; a batch with a bad hash stops at it, naming it', () => {
    const hashes = eventHashes(2 * TILE_LEAVES + 77);
    const oneTiles: [number, string][] = [];
    const batchTiles: [number, string][] = [];
    const one = new MerkleFrontier(undefined, (index, root) => oneTiles.push([index, root.toString('hex')]));
    const batch = new MerkleFrontier(undefined, (index, root) => batchTiles.push([index, root.toString('hex')]));
    hashes.forEach((h) => one.appendEventHash(h));
    batch.appendEventHashes(hashes.slice(0, 100));
    batch.appendEventHashes(hashes.slice(100).map((h, i) => (i % 2 ? h.toUpperCase() : h)));
    expect(batch.state()).toEqual(one.state());
    expect(batch.rootHex()).toBe(one.rootHex());
    expect(batchTiles).toEqual(oneTiles);

    const stopped = new MerkleFrontier();
    expect(() => stopped.appendEventHashes([hashes[0], hashes[1], `${hashes[2].slice(0, 63)}g`, hashes[3]])).toThrow(/not a SHA-256 hex digest: ".*g"/);
    expect(stopped.treeSize).toBe(2);
    expect(stopped.rootHex()).toBe(mth(hashes.slice(0, 2).map((h) => Buffer.from(h, 'hex'))).toString('hex'));
    expect(() => new MerkleFrontier().appendLeaf(Buffer.alloc(31))).toThrow(/32 bytes, not 31/);
  });

  it('tells each finished tile of 256 leaves with its root', () => {
    const hashes = eventHashes(2 * TILE_LEAVES + 10);
    const tiles: [number, string][] = [];
    const frontier = new MerkleFrontier(undefined, (index, root) => tiles.push([index, root.toString('hex')]));
    hashes.forEach((h) => frontier.appendEventHash(h));
    expect(tiles).toEqual([0, 1].map((i) => [i, mth(hashes.slice(i * TILE_LEAVES, (i + 1) * TILE_LEAVES).map((h) => Buffer.from(h, 'hex'))).toString('hex')]));
  });

  describe('inclusion proofs', () => {
    it('proves every leaf of trees of 1 to 600 leaves, with and without tiles, and each proof fails for another leaf, index or root', async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 600 }), fc.nat(), fc.boolean(), async (size, pick, withTiles) => {
          const hashes = eventHashes(size);
          const reader = new MerkleTreeReader(memorySource(hashes, withTiles), size);
          const root = (await reader.root()).toString('hex');
          expect(root).toBe(mth(hashes.map((h) => Buffer.from(h, 'hex'))).toString('hex'));
          const index = pick % size;
          const proof = await reader.inclusionProof(index);
          expect(verifyInclusion(hashes[index], proof, root)).toBe(true);
          expect(verifyInclusion(eventHashes(size + 1)[size], proof, root)).toBe(false);
          if (size > 1) expect(verifyInclusion(hashes[index], { ...proof, leafIndex: (index + 1) % size }, root)).toBe(false);
          expect(verifyInclusion(hashes[index], proof, eventHashes(1)[0])).toBe(false);
          if (proof.hashes.length > 0) {
            const altered = [...proof.hashes];
            altered[altered.length - 1] = eventHashes(2)[1];
            expect(verifyInclusion(hashes[index], { ...proof, hashes: altered }, root)).toBe(false);
          }
        }),
        { numRuns: 60 },
      );
    });

    it('proves every leaf of one tree of 1 000 leaves against the root the frontier gives', async () => {
      const hashes = eventHashes(1000);
      const frontier = new MerkleFrontier();
      hashes.forEach((h) => frontier.appendEventHash(h));
      const reader = new MerkleTreeReader(memorySource(hashes, true), 1000);
      for (let i = 0; i < 1000; i++) expect(verifyInclusion(hashes[i], await reader.inclusionProof(i), frontier.rootHex())).toBe(true);
    });

    it('gives a proof that fails when a tile kept beside the log no longer matches it', async () => {
      const hashes = eventHashes(3 * TILE_LEAVES);
      const root = (await new MerkleTreeReader(memorySource(hashes, false), hashes.length).root()).toString('hex');
      const source = memorySource(hashes, true);
      const forgedTiles: LeafSource = { ...source, tileRoots: async () => new Map([[0, eventHashes(1)[0]]]) };
      const proof = await new MerkleTreeReader(forgedTiles, hashes.length).inclusionProof(2 * TILE_LEAVES + 5);
      expect(verifyInclusion(hashes[2 * TILE_LEAVES + 5], proof, root)).toBe(false);
    });

    it('refuses a leaf outside the tree, and says so when the log holds fewer events than the tree', async () => {
      const hashes = eventHashes(10);
      await expect(new MerkleTreeReader(memorySource(hashes, false), 10).inclusionProof(10)).rejects.toThrow(/not in a tree of 10/);
      await expect(new MerkleTreeReader(memorySource(hashes, false), 12).inclusionProof(3)).rejects.toThrow(/holds 10 events/);
    });
  });
});
