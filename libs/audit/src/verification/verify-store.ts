import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChainVerifier, CompactRange, EventStore, FrontierState, MerkleFrontier, RangeFold, SignedCheckpoint } from '@vigil/event-store';
import { CheckpointCheck, CheckpointVerification, leafSource, WitnessedCheckpoint } from '../checkpoints/checkpoint-check';
import { MerkleFoldWorker } from '../checkpoints/merkle-fold-worker';
import type { AuditPublicKey } from '../checkpoints/signing-key';

export interface BrokenEvent {
  streamId: string;
  version: number;
  reason: string;
}

/** The result of walking the whole store: what `GET /audit/verify` answers. */
export interface StoreVerification {
  /** False when a chain is broken, a checkpoint no longer holds, or stored checkpoints cannot be checked (no key). */
  ok: boolean;
  streams: number;
  events: number;
  broken: BrokenEvent[];
  checkpoints: CheckpointVerification;
}

export interface VerificationProgress {
  /** Events checked so far. */
  events: number;
  /** Global position of the last event checked. */
  position: number;
  /** The store's head when verification started. */
  headPosition: number;
}

/**
 * How checkpoints are checked: under which public key, with which copies kept outside the database
 * (the checkpoint file); or why they are not (`off`: no signing key configured).
 */
export type CheckpointSetting = { key: AuditPublicKey; outside?: WitnessedCheckpoint[] } | { off: string };

export interface VerifyStoreOptions {
  /** Called after each batch (the CLI's progress bar). */
  onProgress?: (progress: VerificationProgress) => void;
  /** Events per batch read from the store (default 2 000). */
  batchSize?: number;
  /** Checkpoint verification; without it the report says checkpoints were not checked (status `off`). */
  checkpoints?: CheckpointSetting;
  /**
   * When the log is walked in this thread (no reader threads), fold the Merkle tree on a worker thread
   * (default: when the largest checkpoint covers PARALLEL_FROM events or more).
   */
  parallel?: boolean;
  /**
   * Reader threads that check the chains of ranges of the log side by side, and fold its Merkle tree over
   * the same reads, when the store offers them (`checkChainRanges`: SQLite) (default: READERS from
   * PARALLEL_FROM events; 1: the walk in this thread).
   */
  readers?: number;
}

/** A range of global positions: after `after`, up to and including `to`. */
interface PositionRange {
  after: number;
  to: number;
}

/** Reader threads of a whole-store verification: one a core (docs/audit-trail.md). */
export const READERS = 2;

/** From this many events reader threads (or a fold worker) share the work: below, starting them costs more than they save. */
export const PARALLEL_FROM = 50_000;

/**
 * Walks every event of the store in global order, batch by batch, through the hash-chain verifier:
 * memory grows with the number of streams, not of events. Events appended while it runs are checked
 * too. A stream whose chain is changed, has events removed, reordered or inserted is named with the
 * version where the chain breaks (21 CFR 11.10(e): the trail cannot be altered unseen).
 *
 * With a signing key, the same walk recomputes the Merkle tree over the stored event hashes and checks
 * every signed checkpoint (signature, and the root the log gives at its size): what a chain cannot show,
 * an event edited with its chain recomputed, a stream's last events or the log's tail removed, shows
 * here, and the smallest checkpoint that no longer holds is named.
 *
 * Where the store offers reader threads (SQLite), they read the log up to its head at the start in ranges,
 * each checking chains and folding its part of the tree (a compact range) over the same reads; this thread
 * joins their reports and walks the events appended since. Ranges that cannot be joined as they are
 * (a stream gone back across a range's start, positions missing) send the whole log through one walk.
 */
export async function verifyStore(store: EventStore, options: VerifyStoreOptions = {}): Promise<StoreVerification> {
  let verifier = new ChainVerifier();
  const check = await checkpointCheck(store, options.checkpoints);
  const headPosition = await store.headPosition();
  const batchSize = options.batchSize ?? 2_000;
  const folding = check instanceof CheckpointCheck && check.treeSizes.length > 0;
  const treeSizes = folding ? check.treeSizes : [];
  const largest = folding ? treeSizes[treeSizes.length - 1] : 0;
  let events = 0;
  const checked = async (count: number, position: number) => {
    events += count;
    options.onProgress?.({ events, position, headPosition });
    // Let the server answer other requests between batches: a whole-store walk takes seconds.
    await nextTurn();
  };
  let walkedTo = 0;
  // Roots folded by the reader threads, and the tree they leave, which the walk of the events appended since folds on.
  let folded: Map<number, string> | undefined;
  let tail: MerkleFrontier | undefined;
  const readers = options.readers ?? (headPosition >= PARALLEL_FROM ? READERS : 1);
  if (readers > 1 && store.checkChainRanges && headPosition > 0) {
    // The log up to its head at the start, in ranges read and hashed (chains and Merkle leaves) side by side; then the events appended since, here.
    let inRanges = 0;
    let position = 0;
    const asked = rangesOf(headPosition, readers);
    const ranges = await store.checkChainRanges(asked, {
      batchSize,
      onProgress: (progress) => {
        inRanges += progress.events;
        position = Math.max(position, progress.position);
        options.onProgress?.({ events: inRanges, position, headPosition });
      },
      treeSizes: folding ? treeSizes : undefined,
    });
    // Positions missing from a range (events removed) leave its leaves misplaced: the tree is then folded in one walk.
    const tree = folding ? joinFolds(asked, ranges) : null;
    // A stream gone back across a range's start (events reordered) is judged in one walk instead.
    if ((!folding || tree) && ranges.every((range) => verifier.canAbsorb(range) && verifier.absorb(range))) {
      events = inRanges;
      walkedTo = headPosition;
      if (tree) {
        folded = tree.roots;
        tail = new MerkleFrontier(tree.frontier);
      }
    } else verifier = new ChainVerifier();
  }
  // A big log's Merkle tree is folded on the other core while this one checks the chains (when walked from the start).
  const worker = folding && walkedTo === 0 && (options.parallel ?? largest >= PARALLEL_FROM) ? new MerkleFoldWorker(treeSizes) : null;
  const fold = async (hashes: () => string[]) => {
    if (!folding) return;
    if (tail) foldOn(tail, hashes(), treeSizes, folded as Map<number, string>);
    else if (events >= largest) return;
    else if (worker) await worker.feed(hashes());
    else for (const hash of hashes()) check.feed(hash);
  };
  try {
    if (store.readChainRecords) {
      // The store hands over the hashed texts as stored: hashing them needs no JSON parsed.
      for await (const batch of store.readChainRecords({ batchSize, after: walkedTo })) {
        verifier.feedRecords(batch);
        await fold(() => batch.map((record) => record[3]));
        await checked(batch.length, batch[batch.length - 1][0]);
      }
    } else {
      for await (const batch of store.readAll({ batchSize, after: walkedTo })) {
        verifier.feed(batch);
        await fold(() => batch.map((event) => event.hash));
        await checked(batch.length, batch[batch.length - 1].globalPosition);
      }
    }
    if (worker) folded = (await worker.finish()).roots;
  } finally {
    await worker?.abort();
  }
  const report = verifier.finish();
  const checkpoints = check instanceof CheckpointCheck ? check.finish(report.events, folded) : check;
  return {
    ok: report.ok && checkpoints.ok,
    streams: report.streams,
    events: report.events,
    broken: report.broken.map(({ streamId, version, reason }) => ({ streamId, version, reason })),
    checkpoints,
  };
}

/**
 * The Merkle tree the reader threads folded, range after range: the root at each asked tree size and the
 * frontier at the head. Null when a range lacks positions (the event at position p is leaf p − 1 only in a
 * log that holds every position up to it): then the leaves are folded in one walk, in the order they are read.
 */
function joinFolds(asked: readonly PositionRange[], ranges: readonly { fold?: RangeFold }[]): { roots: Map<number, string>; frontier: FrontierState } | null {
  const joined = new CompactRange(0);
  const roots = new Map<number, string>();
  for (let i = 0; i < asked.length; i++) {
    const fold = ranges[i].fold;
    if (!fold || fold.leaves !== asked[i].to - asked[i].after) return null;
    for (const [treeSize, range] of fold.at) roots.set(treeSize, joined.copy().append(CompactRange.of(range)).rootHex());
    joined.append(CompactRange.of(fold.whole));
  }
  return { roots, frontier: joined.frontier() };
}

/** Folds the next event hashes onto a tree, keeping its root at each asked size it reaches (past the largest, nothing). */
function foldOn(tree: MerkleFrontier, eventHashes: readonly string[], treeSizes: readonly number[], roots: Map<number, string>): void {
  const largest = treeSizes[treeSizes.length - 1];
  for (const hash of eventHashes) {
    if (tree.treeSize >= largest) return;
    tree.appendEventHash(leafSource(hash));
    // Every root kept so far is of a smaller size: the next sizes start at that count.
    if (treeSizes.indexOf(tree.treeSize, roots.size) >= 0) roots.set(tree.treeSize, tree.rootHex());
  }
}

/** Positions 1 … head in `parts` ranges of about equal size. */
function rangesOf(head: number, parts: number): PositionRange[] {
  const size = Math.ceil(head / parts);
  const ranges: PositionRange[] = [];
  for (let after = 0; after < head; after += size) ranges.push({ after, to: Math.min(head, after + size) });
  return ranges;
}

/** The checkpoints to check (every one the store holds, read before the walk), or the report of why none are. */
async function checkpointCheck(store: EventStore, setting: CheckpointSetting | undefined): Promise<CheckpointCheck | CheckpointVerification> {
  const notChecked = (status: 'off' | 'unsupported', message: string): CheckpointVerification => ({
    status,
    ok: true,
    checked: 0,
    keyId: null,
    latest: null,
    firstMismatch: null,
    mismatches: 0,
    message,
  });
  if (!setting) return notChecked('off', 'checkpoints were not checked');
  if ('off' in setting) {
    // Checkpoints someone signed cannot read as fine merely because this verifier has no key to check them with.
    const latest = (await store.checkpoints?.latest()) ?? null;
    if (!latest) return notChecked('off', `checkpoints are off: ${setting.off}`);
    return {
      status: 'unverifiable',
      ok: false,
      checked: 0,
      keyId: null,
      latest,
      firstMismatch: null,
      mismatches: 0,
      message: `the store holds signed checkpoints (the latest of tree size ${latest.treeSize}, key ${latest.keyId}) that cannot be verified: ${setting.off}`,
    };
  }
  if (!store.checkpoints) return notChecked('unsupported', 'this event store keeps no checkpoints (EventStoreDB): only the hash chains are checked');
  const stored: SignedCheckpoint[] = [];
  for (let page = await store.checkpoints.list(0); page.length > 0; page = await store.checkpoints.list(page[page.length - 1].treeSize)) {
    stored.push(...page);
  }
  return new CheckpointCheck(stored, setting.outside ?? [], setting.key);
}
