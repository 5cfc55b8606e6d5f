/**
 * The two RFC 9162 hashes of a Merkle fold (merkle/merkle-hash.ts), SHA-256(0x00 ‖ 32 bytes) for a leaf and
 * SHA-256(0x01 ‖ 32 ‖ 32 bytes) for a node, on digests held as 8 big-endian 32-bit words in Int32Arrays.
 * A whole-store verification folds two such hashes per event, a million times over: through node:crypto
 * each is a call into OpenSSL that costs several times the one or two SHA-256 blocks it hashes, and a Buffer
 * for its result; here they are plain arithmetic on preallocated arrays. The results are SHA-256's
 * (FIPS 180-4), held to node:crypto's in compact-range.spec.ts and over a million leaves by the bench.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule of the block being hashed (its first 16 words are the block). */
const W = new Int32Array(64);
/** The chaining state between the two blocks of a node hash. */
const state = new Int32Array(8);

/** One SHA-256 compression of the block in W[0 … 15] into st[so … so + 7]. */
function compress(st: Int32Array, so: number): void {
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15];
    const y = W[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = st[so];
  let b = st[so + 1];
  let c = st[so + 2];
  let d = st[so + 3];
  let e = st[so + 4];
  let f = st[so + 5];
  let g = st[so + 6];
  let h = st[so + 7];
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  st[so] = (st[so] + a) | 0;
  st[so + 1] = (st[so + 1] + b) | 0;
  st[so + 2] = (st[so + 2] + c) | 0;
  st[so + 3] = (st[so + 3] + d) | 0;
  st[so + 4] = (st[so + 4] + e) | 0;
  st[so + 5] = (st[so + 5] + f) | 0;
  st[so + 6] = (st[so + 6] + g) | 0;
  st[so + 7] = (st[so + 7] + h) | 0;
}

/** out[oo …] = SHA-256(0x00 ‖ the digest at src[so …]): one block of 33 bytes, 0x80, zeros and the length (264 bits). */
export function leafWords(src: Int32Array, so: number, out: Int32Array, oo: number): void {
  // The message is shifted by the prefix byte: each word takes the low byte of the one before.
  let carry = 0x00;
  for (let i = 0; i < 8; i++) {
    const word = src[so + i];
    W[i] = (carry << 24) | (word >>> 8);
    carry = word & 0xff;
  }
  W[8] = (carry << 24) | 0x800000;
  for (let i = 9; i < 15; i++) W[i] = 0;
  W[15] = 264;
  out.set(IV, oo);
  compress(out, oo);
}

/** out[oo …] = SHA-256(0x01 ‖ l[lo …] ‖ r[ro …]): 65 bytes, two blocks (the second: the last byte, 0x80, zeros, 520 bits). */
export function nodeWords(l: Int32Array, lo: number, r: Int32Array, ro: number, out: Int32Array, oo: number): void {
  let carry = 0x01;
  for (let i = 0; i < 8; i++) {
    const word = l[lo + i];
    W[i] = (carry << 24) | (word >>> 8);
    carry = word & 0xff;
  }
  for (let i = 0; i < 8; i++) {
    const word = r[ro + i];
    W[8 + i] = (carry << 24) | (word >>> 8);
    carry = word & 0xff;
  }
  state.set(IV);
  compress(state, 0);
  W[0] = (carry << 24) | 0x800000;
  for (let i = 1; i < 15; i++) W[i] = 0;
  W[15] = 520;
  compress(state, 0);
  out.set(state, oo);
}

/** The digest at words[offset …] as 64 hex characters. */
export function wordsToHex(words: Int32Array, offset: number): string {
  let hex = '';
  for (let i = 0; i < 8; i++) hex += (words[offset + i] >>> 0).toString(16).padStart(8, '0');
  return hex;
}

/** Writes a digest given as 64 hex characters (checked by the caller) to words[offset …]. */
export function hexToWords(hex: string, words: Int32Array, offset: number): void {
  for (let i = 0; i < 8; i++) words[offset + i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16) | 0;
}
