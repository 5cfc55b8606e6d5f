import { Worker } from 'node:worker_threads';
import { leafSource } from './checkpoint-check';

/**
 * The worker's program, plain JavaScript so that it runs the same from sources (tests) and from a build:
 * the RFC 9162 fold of merkle-frontier.ts (leaf = SHA-256(0x00 ‖ 32 bytes), node = SHA-256(0x01 ‖ l ‖ r),
 * subtree roots merged from the right), which the tests hold to the in-thread fold on the same logs.
 * It receives batches of event hashes as one hex string, answers each with an acknowledgement, and at the
 * end (null) the roots at the sizes it was given.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const sizes = workerData.sizes;
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 1;
const roots = [];
const found = [];
let size = 0;
let next = 0;
function rootHex() {
  let root = roots[roots.length - 1];
  for (let i = roots.length - 2; i >= 0; i--) {
    roots[i].copy(nodeInput, 1);
    root.copy(nodeInput, 33);
    root = hash('sha256', nodeInput, 'buffer');
  }
  return root.toString('hex');
}
parentPort.on('message', (batch) => {
  if (batch === null) {
    parentPort.postMessage({ done: true, roots: found, leaves: size });
    return;
  }
  let bytes = Buffer.from(batch, 'hex');
  if (!/^[0-9a-f]*$/.test(batch)) {
    // Some hash is no digest (not lower-case hex): one leaf of zeros for each such event, as leafSource does.
    const parts = [];
    for (let i = 0; i < batch.length; i += 64) {
      const one = batch.slice(i, i + 64);
      parts.push(/^[0-9a-f]{64}$/.test(one) ? Buffer.from(one, 'hex') : Buffer.alloc(32));
    }
    bytes = Buffer.concat(parts);
  }
  for (let offset = 0; offset < bytes.length; offset += 32) {
    bytes.copy(leafInput, 1, offset, offset + 32);
    let node = hash('sha256', leafInput, 'buffer');
    for (let level = 0; (size >> level) & 1; level++) {
      roots.pop().copy(nodeInput, 1);
      node.copy(nodeInput, 33);
      node = hash('sha256', nodeInput, 'buffer');
    }
    roots.push(node);
    size++;
    while (next < sizes.length && sizes[next] === size) {
      found.push([size, rootHex()]);
      next++;
    }
  }
  parentPort.postMessage({ done: false });
});
`;

/** Batches in flight to the worker before the reader waits: bounds the memory a fast reader can fill. */
const IN_FLIGHT = 8;

/**
 * The Merkle fold of a whole-store verification, on a worker thread: the reading thread checks the
 * hash chains while the other core folds the leaves. Gives the roots at the asked sizes, as CheckpointCheck
 * does in-thread.
 */
export class MerkleFoldWorker {
  private readonly worker: Worker;
  private inFlight = 0;
  private drained: (() => void) | null = null;
  private readonly result: Promise<{ roots: Map<number, string>; leaves: number }>;

  constructor(treeSizes: readonly number[]) {
    this.worker = new Worker(PROGRAM, { eval: true, workerData: { sizes: [...treeSizes] } });
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (message: { done: boolean; roots?: [number, string][]; leaves?: number }) => {
        if (message.done) resolve({ roots: new Map(message.roots), leaves: message.leaves as number });
        else {
          this.inFlight--;
          this.drained?.();
          this.drained = null;
        }
      });
      const failed = (error: Error) => {
        reject(error);
        // A reader waiting for room is let go: finish() then reports the failure.
        this.inFlight = 0;
        this.drained?.();
      };
      this.worker.on('error', failed);
      this.worker.on('exit', (code) => failed(new Error(`the Merkle fold worker stopped (exit ${code}) before it finished`)));
    });
    this.result.catch(() => undefined);
  }

  /** Hands over the stored hashes of the next events in global order; waits while too many batches are in flight. */
  async feed(eventHashes: readonly string[]): Promise<void> {
    // Hashes of 64 characters go as they are (the worker checks they are hex); any other length is no digest.
    let text = '';
    for (let i = 0; i < eventHashes.length; i++) text += eventHashes[i].length === 64 ? eventHashes[i] : leafSource(eventHashes[i]);
    while (this.inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (this.drained = resolve));
    this.inFlight++;
    this.worker.postMessage(text);
  }

  async finish(): Promise<{ roots: Map<number, string>; leaves: number }> {
    this.worker.postMessage(null);
    try {
      return await this.result;
    } finally {
      await this.worker.terminate();
    }
  }

  async abort(): Promise<void> {
    await this.worker.terminate();
  }
}
