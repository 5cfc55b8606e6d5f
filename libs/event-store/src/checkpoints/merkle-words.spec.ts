import { createHash, randomBytes } from 'node:crypto';
import { hexToWords, leafWords, nodeWords, wordsToHex } from './merkle-words';

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest('hex');
const words = (digest: Buffer) => {
  const out = new Int32Array(8);
  hexToWords(digest.toString('hex'), out, 0);
  return out;
};

describe('merkle-words', () => {
  const digests = [Buffer.alloc(32), Buffer.alloc(32, 0xff), Buffer.alloc(32, 0x80), ...Array.from({ length: 500 }, () => randomBytes(32))];

  it('hashes a leaf as node:crypto does: SHA-256(0x00 ‖ 32 bytes)', () => {
    const out = new Int32Array(16);
    for (const digest of digests) {
      leafWords(words(digest), 0, out, 8);
      expect(wordsToHex(out, 8)).toBe(sha256(Buffer.from([0]), digest));
    }
  });

  it('hashes a node as node:crypto does: SHA-256(0x01 ‖ left ‖ right), even written over one of its children', () => {
    for (let i = 1; i < digests.length; i++) {
      const [left, right] = [digests[i - 1], digests[i]];
      const both = new Int32Array(16);
      both.set(words(left), 0);
      both.set(words(right), 8);
      nodeWords(both, 0, both, 8, both, 0);
      expect(wordsToHex(both, 0)).toBe(sha256(Buffer.from([1]), left, right));
    }
  });
});
