import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ChainRange } from '../chain-verifier';
import type { RangeFold } from '../checkpoints/compact-range';
import { chainRecordColumns } from './chain-record';

/** A range of global positions: after `after`, up to and including `to`. */
export interface PositionRange {
  after: number;
  to: number;
}

export interface ChainCheckProgress {
  /** Events checked by this batch. */
  events: number;
  /** Global position of its last event. */
  position: number;
}

/**
 * The program of each reader thread, plain JavaScript so that it runs the same from sources (tests, with
 * the TypeScript hook) and from a build: it opens the store file read-only on a connection of its own,
 * reads its range of chain records (the hashed envelope texts SQLite writes, as `readChainRecords` does)
 * and feeds them to an open-start ChainVerifier (chain-verifier.ts), then answers its range report. Given
 * tree sizes, it also folds the event hashes it read into a compact range (checkpoints/compact-range.ts),
 * kept at each of those sizes inside its range: the Merkle tree of a verification with checkpoints, folded
 * by the threads that read the events anyway instead of from a second read of the log.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.verifier.endsWith('.ts')) require(workerData.typescript);
const { ChainVerifier } = require(workerData.verifier);
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: 10000 });
try {
  const read = db.prepare(workerData.sql).raw(true);
  const verifier = new ChainVerifier({ openStart: true });
  const sizes = workerData.treeSizes;
  // The Merkle fold's module is loaded only when there is a tree to fold (no checkpoints: chains only).
  const fold = sizes ? new (require(workerData.compactRange).CompactRange)(workerData.after) : null;
  const at = [];
  let next = 0;
  let after = workerData.after;
  for (;;) {
    const batch = read.all(after, workerData.to, workerData.batchSize);
    if (batch.length === 0) break;
    verifier.feedRecords(batch);
    if (fold) {
      fold.appendEventHashes(batch.map((record) => record[3]), () => {
        while (next < sizes.length && sizes[next] === fold.end) at.push([sizes[next++], fold.state()]);
      });
    }
    after = batch[batch.length - 1][0];
    parentPort.postMessage({ events: batch.length, position: after });
  }
  const range = verifier.range();
  if (fold) range.fold = { leaves: fold.end - fold.start, at, whole: fold.state() };
  parentPort.postMessage({ range });
} finally {
  db.close();
}
`;

/**
 * Checks the hash chains of ranges of a SQLite store's log, each on a reader thread of its own (SQLite in
 * WAL mode lets readers run beside each other and beside the writer): reading and hashing, the whole
 * cost of a verification, spread over the cores. Answers each range's report, in the order given, for a
 * ChainVerifier to `absorb` one after the other; with `treeSizes`, each with its Merkle fold (`fold`).
 */
export function checkChainRanges(
  file: string,
  ranges: readonly PositionRange[],
  options: { batchSize?: number; onProgress?: (progress: ChainCheckProgress) => void; treeSizes?: readonly number[] } = {},
): Promise<(ChainRange & { fold?: RangeFold })[]> {
  const sql = `SELECT ${chainRecordColumns} FROM events WHERE global_position > ? AND global_position <= ? ORDER BY global_position LIMIT ?`;
  const workers: Worker[] = [];
  const reports = ranges.map(
    (range) =>
      new Promise<ChainRange & { fold?: RangeFold }>((resolve, reject) => {
        const worker = new Worker(PROGRAM, {
          eval: true,
          workerData: {
            file,
            sql,
            after: range.after,
            to: range.to,
            batchSize: options.batchSize ?? 2_000,
            driver: require.resolve('better-sqlite3'),
            verifier: require.resolve('../chain-verifier'),
            compactRange: require.resolve('../checkpoints/compact-range'),
            // The sizes inside this range (leaf p − 1 is the event at position p): where its compact range is kept.
            treeSizes: options.treeSizes?.filter((size) => size > range.after && size <= range.to) ?? null,
            typescript: join(__dirname, '..', '..', '..', '..', 'scripts', 'register-ts.js'),
          },
        });
        workers.push(worker);
        let report: (ChainRange & { fold?: RangeFold }) | undefined;
        worker.on('message', (message: { range?: ChainRange & { fold?: RangeFold } } & Partial<ChainCheckProgress>) => {
          if (message.range) report = message.range;
          else options.onProgress?.({ events: message.events as number, position: message.position as number });
        });
        worker.once('error', reject);
        worker.once('exit', (code) => (report ? resolve(report) : reject(new Error(`chain reader thread exited (${code}) before its report`))));
      }),
  );
  return Promise.all(reports).catch(async (error: unknown) => {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  });
}
