import { createHash } from 'node:crypto';
import { MerkleFrontier } from '../merkle/merkle-frontier';
import { CompactRange } from './compact-range';

const eventHash = (i: number) => createHash('sha256').update(`event ${i}`).digest('hex');

/** The reference: one fold over leaves 0 … n − 1. */
function frontierOf(n: number, hashOf = eventHash): MerkleFrontier {
  const frontier = new MerkleFrontier();
  for (let i = 0; i < n; i++) frontier.appendEventHash(hashOf(i));
  return frontier;
}

function rangeOf(start: number, end: number, hashOf = eventHash): CompactRange {
  const range = new CompactRange(start);
  for (let i = start; i < end; i++) range.appendEventHash(hashOf(i));
  return range;
}

describe('CompactRange', () => {
  it('gives the root of one fold for every size, however the leaves are split between ranges folded apart', () => {
    const total = 300;
    const reference = Array.from({ length: total + 1 }, (_, n) => frontierOf(n).rootHex());
    for (const cuts of [[0], [1], [128], [150], [0, 77, 200], [3, 64, 65, 129, 255, 256], [99, 100, 101]]) {
      const bounds = [...cuts, total].filter((cut, i, all) => i === 0 || cut > all[i - 1]);
      const joined = new CompactRange(0).append(rangeOf(0, bounds[0]));
      for (let i = 0; i + 1 < bounds.length; i++) {
        const part = new CompactRange(bounds[i]);
        for (let leaf = bounds[i]; leaf < bounds[i + 1]; leaf++) {
          part.appendEventHash(eventHash(leaf));
          // The root at each size inside this part, from what came before and the part so far (sent as text, as threads do).
          expect(joined.copy().append(CompactRange.of(part.state())).rootHex()).toBe(reference[leaf + 1]);
        }
        joined.append(CompactRange.of(part.state()));
      }
      expect(joined.rootHex()).toBe(reference[total]);
      expect(joined.frontier()).toEqual(frontierOf(total).state());
    }
  });

  it('folds a stored hash that is no digest as a leaf of zeros, as the checkpoint check does', () => {
    const forged = (i: number) => (i === 5 ? 'forged' : i === 6 ? eventHash(6).toUpperCase() : eventHash(i));
    const zeros = (i: number) => (i === 5 || i === 6 ? '0'.repeat(64) : eventHash(i));
    expect(
      new CompactRange(0)
        .append(rangeOf(0, 4, forged))
        .append(rangeOf(4, 9, forged))
        .rootHex(),
    ).toBe(frontierOf(9, zeros).rootHex());
    expect(rangeOf(0, 9, forged).rootHex()).not.toBe(frontierOf(9).rootHex());
  });

  it('folds a batch of stored hashes as it folds them one by one, digests or not, calling back after each leaf', () => {
    const batches = [
      Array.from({ length: 40 }, (_, i) => eventHash(i)),
      Array.from({ length: 40 }, (_, i) =>
        i === 7 ? 'forged' : i === 9 ? eventHash(i).toUpperCase() : i === 11 ? `${eventHash(i).slice(0, 62)}zz` : eventHash(i),
      ),
    ];
    for (const hashes of batches) {
      const one = new CompactRange(13);
      hashes.forEach((eventHash) => one.appendEventHash(eventHash));
      const sizes: number[] = [];
      const batch = new CompactRange(13);
      batch.appendEventHashes(hashes, () => sizes.push(batch.end));
      expect(batch.state()).toEqual(one.state());
      expect(sizes).toEqual(Array.from({ length: 40 }, (_, i) => 14 + i));
    }
  });

  it('refuses to join ranges that do not meet, and subtree roots that do not make the range they claim', () => {
    expect(() => rangeOf(0, 10).append(rangeOf(11, 12))).toThrow(/cannot follow/);
    expect(() => rangeOf(5, 10).root()).toThrow(/no whole tree/);
    expect(() => CompactRange.of({ start: 3, end: 8, roots: [eventHash(1)] })).toThrow(/do not make the compact range/);
    expect(CompactRange.of(rangeOf(3, 8).state()).state()).toEqual(rangeOf(3, 8).state());
  });
});
