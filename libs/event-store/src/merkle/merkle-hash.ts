import { hash } from 'node:crypto';

/**
 * RFC 9162 §2.1.1 hashing over the global log: a leaf is the stored event's hash (its 32 bytes, not
 * the 64 hex characters), hashed with a 0x00 prefix; an inner node hashes its two children with a
 * 0x01 prefix. The prefixes keep a leaf from ever passing for a node (second pre-image attacks).
 */
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;

const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);

/** SHA-256(0x00 ‖ event hash), the event hash given as 64 hex characters. */
export function leafHash(eventHashHex: string): Buffer {
  leafInput[0] = LEAF_PREFIX;
  if (leafInput.write(eventHashHex, 1, 'hex') !== 32 || eventHashHex.length !== 64)
    throw new Error(`not a SHA-256 hex digest: ${JSON.stringify(eventHashHex)}`);
  return hash('sha256', leafInput, 'buffer');
}

/** SHA-256(0x00 ‖ 32 bytes) of an event hash already in bytes (e.g. a slice of a packed batch). */
export function leafHashOfBytes(eventHash: Uint8Array): Buffer {
  leafInput[0] = LEAF_PREFIX;
  leafInput.set(eventHash, 1);
  return hash('sha256', leafInput, 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput[0] = NODE_PREFIX;
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return hash('sha256', nodeInput, 'buffer');
}

/** The root of an empty tree: SHA-256 of nothing (RFC 9162 §2.1.1). */
export const EMPTY_TREE_ROOT: Buffer = hash('sha256', Buffer.alloc(0), 'buffer');

/** The largest power of two strictly below n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
