import { MerkleFrontier, SignedCheckpoint } from '@vigil/event-store';
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
   * `broken`: at least one does not (`firstMismatch` is the smallest); `off`: there is no signing key;
   * `unsupported`: the event store keeps no checkpoints (EventStoreDB).
   */
  status: 'verified' | 'broken' | 'off' | 'unsupported';
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
  private nextSize: number;
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
    this.pending = all.sort((a, b) => b.checkpoint.treeSize - a.checkpoint.treeSize);
    this.checked = all.length;
    this.latest = stored.length === 0 ? null : stored.reduce((a, b) => (b.treeSize > a.treeSize ? b : a));
    this.nextSize = this.pending.at(-1)?.checkpoint.treeSize ?? Number.POSITIVE_INFINITY;
  }

  /** The stored hash (hex) of the next event in global order. */
  feed(eventHash: string): void {
    this.frontier.appendEventHash(eventHash);
    if (this.frontier.treeSize === this.nextSize) this.compareRoots();
  }

  finish(): CheckpointVerification {
    const events = this.frontier.treeSize;
    for (const witnessed of this.pending) {
      this.mismatch(witnessed, `covers ${witnessed.checkpoint.treeSize} events, the log holds ${events}: events were removed from the log`);
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

  private compareRoots(): void {
    const root = this.frontier.rootHex();
    while (this.pending.length > 0 && this.pending[this.pending.length - 1].checkpoint.treeSize === this.frontier.treeSize) {
      const witnessed = this.pending.pop() as WitnessedCheckpoint;
      if (witnessed.checkpoint.rootHash !== root) {
        this.mismatch(
          witnessed,
          `the first ${witnessed.checkpoint.treeSize} events of the log give root ${root}, not the signed ${witnessed.checkpoint.rootHash}: the log was changed`,
        );
      }
    }
    this.nextSize = this.pending.at(-1)?.checkpoint.treeSize ?? Number.POSITIVE_INFINITY;
  }

  private mismatch(witnessed: WitnessedCheckpoint, reason: string): void {
    this.mismatches.push({ ...witnessed.checkpoint, source: witnessed.source, reason });
  }
}

function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return a.treeSize === b.treeSize && a.rootHash === b.rootHash && a.signedAt === b.signedAt && a.keyId === b.keyId && a.signature === b.signature;
}
