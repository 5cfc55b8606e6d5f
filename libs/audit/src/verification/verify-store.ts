import { setImmediate as nextTurn } from 'node:timers/promises';
import { ChainVerifier, EventStore, SignedCheckpoint } from '@vigil/event-store';
import { CheckpointCheck, CheckpointVerification, WitnessedCheckpoint } from '../checkpoints/checkpoint-check';
import { MerkleFoldWorker } from '../checkpoints/merkle-fold-worker';
import type { AuditPublicKey } from '../checkpoints/signing-key';

export interface BrokenEvent {
  streamId: string;
  version: number;
  reason: string;
}

/** The result of walking the whole store: what `GET /audit/verify` answers. */
export interface StoreVerification {
  /** False when a chain is broken or a checkpoint no longer holds. */
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
  /** Fold the Merkle tree on a worker thread (default: when the largest checkpoint covers PARALLEL_FROM events or more). */
  parallel?: boolean;
}

/** From this many events a worker thread folds the tree: below, starting it costs more than it saves. */
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
 */
export async function verifyStore(store: EventStore, options: VerifyStoreOptions = {}): Promise<StoreVerification> {
  const verifier = new ChainVerifier();
  const check = await checkpointCheck(store, options.checkpoints);
  const headPosition = await store.headPosition();
  const batchSize = options.batchSize ?? 2_000;
  const folding = check instanceof CheckpointCheck && check.treeSizes.length > 0;
  const largest = folding ? check.treeSizes[check.treeSizes.length - 1] : 0;
  // A big log's Merkle tree is folded on the other core while this one checks the chains.
  const worker = folding && (options.parallel ?? largest >= PARALLEL_FROM) ? new MerkleFoldWorker(check.treeSizes) : null;
  const fold = async (hashes: () => string[]) => {
    if (!folding || events >= largest) return;
    if (worker) await worker.feed(hashes());
    else for (const hash of hashes()) check.feed(hash);
  };
  let events = 0;
  const checked = async (count: number, position: number) => {
    events += count;
    options.onProgress?.({ events, position, headPosition });
    // Let the server answer other requests between batches: a whole-store walk takes seconds.
    await nextTurn();
  };
  let folded: Map<number, string> | undefined;
  try {
    if (store.readChainRecords) {
      // The store hands over the hashed texts as stored: hashing them needs no JSON parsed.
      for await (const batch of store.readChainRecords({ batchSize })) {
        verifier.feedRecords(batch);
        await fold(() => batch.map((record) => record[3]));
        await checked(batch.length, batch[batch.length - 1][0]);
      }
    } else {
      for await (const batch of store.readAll({ batchSize })) {
        verifier.feed(batch);
        await fold(() => batch.map((event) => event.hash));
        await checked(batch.length, batch[batch.length - 1].globalPosition);
      }
    }
    folded = worker ? (await worker.finish()).roots : undefined;
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
  if ('off' in setting) return notChecked('off', `checkpoints are off: ${setting.off}`);
  if (!store.checkpoints) return notChecked('unsupported', 'this event store keeps no checkpoints (EventStoreDB): only the hash chains are checked');
  const stored: SignedCheckpoint[] = [];
  for (let page = await store.checkpoints.list(0); page.length > 0; page = await store.checkpoints.list(page[page.length - 1].treeSize)) {
    stored.push(...page);
  }
  return new CheckpointCheck(stored, setting.outside ?? [], setting.key);
}
