import { leafHash, MerkleFrontier, SignedCheckpoint } from '@vigil/event-store';
import { signatureProblem } from './checkpoint-signature';
import type { AuditPublicKey } from './signing-key';

/** A checkpoint that no longer holds, and why. `source` says where the copy came from. */
export interface CheckpointMismatch extends SignedCheckpoint {
  source: string;
  reason: string;
}

/** What `GET /audit/verify` and `vigil audit verify` say about the signed checkpoints. */
export interface CheckpointVerification {
  /**
   * `verified`: every checkpoint's signature holds and the log still gives each one's root;
   * `broken`: at least one does not (`firstMismatch` is the smallest); `off`: there is no signing key and the store
   * holds no checkpoint; `unverifiable`: the store holds signed checkpoints but there is no key to check them with
   * (not ok); `unsupported`: the event store keeps no checkpoints (EventStoreDB).
   */
  status: 'verified' | 'broken' | 'off' | 'unverifiable' | 'unsupported';
  ok: boolean;
  /** Checkpoints checked (copies outside the database included). */
  checked: number;
  keyId: string | null;
  latest: SignedCheckpoint | null;
  firstMismatch: CheckpointMismatch | null;
  mismatches: number;
  message: string;
}

/** A checkpoint to check, with where it was found: the database, or a copy outside it (the checkpoint file). */
export interface WitnessedCheckpoint {
  checkpoint: SignedCheckpoint;
  source: string;
}

/**
 * Checks checkpoints against the log as it is now: each signature under the audit key, and each root
 * recomputed from the stored event hashes fed in global order (RFC 9162 Merkle Tree Hash of the first
 * treeSize events). A copy outside the database that the database no longer has, or has otherwise, is a
 * mismatch too. Never uses the frontier or tiles kept beside the log: only the log itself.
 */
export class CheckpointCheck {
  private readonly frontier = new MerkleFrontier();
  private readonly pending: WitnessedCheckpoint[];
  private readonly mismatches: CheckpointMismatch[] = [];
  private readonly roots = new Map<number, string>();
  /** The sizes at which a root is wanted, ascending, each once. */
  readonly treeSizes: number[];
  private next = 0;
  private readonly checked: number;
  private readonly latest: SignedCheckpoint | null;

  constructor(
    stored: readonly SignedCheckpoint[],
    outside: readonly WitnessedCheckpoint[],
    private readonly key: AuditPublicKey,
  ) {
    const byTreeSize = new Map(stored.map((checkpoint) => [checkpoint.treeSize, checkpoint]));
    const all: WitnessedCheckpoint[] = stored.map((checkpoint) => ({ checkpoint, source: 'database' }));
    for (const witnessed of all) {
      const problem = signatureProblem(witnessed.checkpoint, key);
      if (problem) this.mismatch(witnessed, problem);
    }
    for (const copy of outside) {
      const inDatabase = byTreeSize.get(copy.checkpoint.treeSize);
      if (inDatabase && sameCheckpoint(inDatabase, copy.checkpoint)) continue;
      all.push(copy);
      const published = `published to ${copy.source}`;
      if (!inDatabase) this.mismatch(copy, `${published}, but missing from the database: checkpoints were removed`);
      else this.mismatch(copy, `${published} with root ${copy.checkpoint.rootHash}, but the database holds another one: checkpoints were rewritten`);
      const problem = signatureProblem(copy.checkpoint, key);
      if (problem) this.mismatch(copy, problem);
    }
    this.pending = all;
    this.checked = all.length;
    this.latest = stored.length === 0 ? null : stored.reduce((a, b) => (b.treeSize > a.treeSize ? b : a));
    this.treeSizes = [...new Set(all.map((w) => w.checkpoint.treeSize))].sort((a, b) => a - b);
  }

  /** The stored hash (hex) of the next event in global order (folded here, in this thread; past the largest checkpoint, not at all). */
  feed(eventHash: string): void {
    if (this.next >= this.treeSizes.length) return;
    this.frontier.appendLeaf(storedLeaf(eventHash));
    if (this.frontier.treeSize === this.treeSizes[this.next]) {
      this.roots.set(this.frontier.treeSize, this.frontier.rootHex());
      this.next++;
    }
  }

  /** The checks, for a log of `events` events, against the roots folded here or those given (folded elsewhere: merkle-fold-worker.ts). */
  finish(events: number, folded?: ReadonlyMap<number, string>): CheckpointVerification {
    const roots = folded ?? this.roots;
    for (const witnessed of [...this.pending].sort((a, b) => a.checkpoint.treeSize - b.checkpoint.treeSize)) {
      const { treeSize, rootHash } = witnessed.checkpoint;
      const root = roots.get(treeSize);
      if (treeSize > events || root === undefined) {
        this.mismatch(witnessed, `covers ${treeSize} events, the log holds ${events}: events were removed from the log`);
      } else if (root !== rootHash) {
        this.mismatch(witnessed, `the first ${treeSize} events of the log give root ${root}, not the signed ${rootHash}: the log was changed`);
      }
    }
    this.pending.length = 0;
    const [first] = [...this.mismatches].sort((a, b) => a.treeSize - b.treeSize);
    const ok = this.mismatches.length === 0;
    return {
      status: ok ? 'verified' : 'broken',
      ok,
      checked: this.checked,
      keyId: this.key.keyId,
      latest: this.latest,
      firstMismatch: first ?? null,
      mismatches: new Set(this.mismatches.map((m) => m.treeSize)).size,
      message: ok
        ? `${this.checked} signed checkpoint(s) hold: the log still gives each one's root`
        : `checkpoint of tree size ${first.treeSize} (signed ${first.signedAt}, ${first.source}) no longer matches: ${first.reason}`,
    };
  }

  private mismatch(witnessed: WitnessedCheckpoint, reason: string): void {
    this.mismatches.push({ ...witnessed.checkpoint, source: witnessed.source, reason });
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const ZERO_HASH = '0'.repeat(64);

/**
 * The hash a leaf is made of: the stored event hash, or, when what is stored is not a SHA-256 digest at
 * all (tampered), 32 zero bytes: the tree still has one leaf per event, and its root no longer matches.
 */
export function leafSource(eventHash: string): string {
  return SHA256_HEX.test(eventHash) ? eventHash : ZERO_HASH;
}

function storedLeaf(eventHash: string): Buffer {
  return leafHash(leafSource(eventHash));
}

function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return a.treeSize === b.treeSize && a.rootHash === b.rootHash && a.signedAt === b.signedAt && a.keyId === b.keyId && a.signature === b.signature;
}
