import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { canonicalJson, EventMetadata, hashEvent, InclusionProof, SignedCheckpoint, StoredEvent, verifyInclusion } from '@vigil/event-store';
import { signatureProblem } from '../checkpoints/checkpoint-signature';
import type { AuditPublicKey } from '../checkpoints/signing-key';
import { auditEntryOf } from '../history/audit-entry';

/** What `vigil audit verify-export` finds in an exported JSON audit trail. */
export interface ExportCheck {
  ok: boolean;
  patientId: string | null;
  /** Entries in the file. */
  events: number;
  /** Entries whose inclusion in the signed checkpoint's tree is proven. */
  proven: number;
  checkpoint: SignedCheckpoint | null;
  /** Each thing that does not hold, naming the event where there is one. */
  problems: string[];
}

interface ExportedEntry {
  version: number;
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  hash: string;
  streamId?: string;
  globalPosition?: number;
  metadata?: EventMetadata;
  previousHash?: string | null;
  inclusionProof?: InclusionProof | null;
  [readable: string]: unknown;
}

/** The fields a person reads, derived from the event: a change to one of them alone is a change too. */
const READABLE = ['occurredAt', 'recordedAt', 'recordedBy', 'summary', 'reason', 'changes', 'correctsEventId'] as const;

/**
 * Checks an export offline, with nothing but the file and the public key: the document's digest, the
 * checkpoint's Ed25519 signature, each event's hash recomputed from its content, the stream's chain, the
 * readable fields against the event they describe, and each event's inclusion proof against the signed
 * root. `sha256`, when given (the `X-Vigil-SHA256` header), must be the digest of the exact bytes.
 */
export function verifyExport(text: string, key: AuditPublicKey, sha256?: string): ExportCheck {
  const problems: string[] = [];
  if (sha256 !== undefined && createHash('sha256').update(text, 'utf8').digest('hex') !== sha256.trim().toLowerCase()) {
    problems.push(`the file's SHA-256 is not ${sha256.trim()}: its bytes were changed`);
  }
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    return failed(null, [...problems, `the file is not JSON: ${(error as Error).message}`]);
  }
  const patientId = typeof document.patientId === 'string' ? document.patientId : null;
  const entries = Array.isArray(document.entries) ? (document.entries as ExportedEntry[]) : null;
  if (!entries) return failed(patientId, [...problems, 'the file has no "entries": it is not a Vigil JSON export']);
  const checkpoint = asCheckpoint(document.checkpoint);

  const { digest, ...rest } = document;
  const digestValue = (digest as { sha256?: unknown } | undefined)?.sha256;
  if (typeof digestValue !== 'string') problems.push('the file has no digest: it was not exported with proofs (JSON export of a Vigil with checkpoints)');
  else if (createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex') !== digestValue) {
    problems.push('the digest no longer matches the document: something in it was changed');
  }
  if (!checkpoint) problems.push('the file carries no signed checkpoint: nothing in it can be proven');
  else {
    const problem = signatureProblem(checkpoint, key);
    if (problem) problems.push(`checkpoint of tree size ${checkpoint.treeSize}: ${problem}`);
  }

  let proven = 0;
  let previous: ExportedEntry | null = null;
  for (const entry of [...entries].sort((a, b) => a.version - b.version)) {
    const name = `event ${entry.eventId} (${entry.type} version ${entry.version})`;
    const event = storedEventOf(entry);
    if (!event) {
      problems.push(`${name}: the entry lacks what its hash covers (streamId, metadata, previousHash, globalPosition)`);
      previous = entry;
      continue;
    }
    if (hashOf(event) !== entry.hash) problems.push(`${name}: its content no longer gives its hash ${entry.hash}: the file was changed`);
    else {
      const derived = auditEntryOf(event) as unknown as Record<string, unknown>;
      const changed = READABLE.filter((field) => !isDeepStrictEqual(entry[field], derived[field]));
      if (changed.length > 0) problems.push(`${name}: ${changed.join(', ')} no longer say what the event records: the file was changed`);
    }
    const expectedPrevious = previous && previous.version === entry.version - 1 ? previous.hash : null;
    if (entry.version === 1 ? event.previousHash !== null : event.previousHash !== expectedPrevious) {
      problems.push(`${name}: its previousHash does not link it to the event before it: an event was removed, added or changed`);
    }
    if (checkpoint) {
      const proof = entry.inclusionProof;
      if (!proof) problems.push(`${name}: no inclusion proof (recorded after the checkpoint of tree size ${checkpoint.treeSize})`);
      else if (proof.leafIndex !== event.globalPosition - 1 || proof.treeSize !== checkpoint.treeSize) {
        problems.push(
          `${name}: its inclusion proof is for leaf ${proof.leafIndex} of ${proof.treeSize}, not for global position ${event.globalPosition} in the checkpoint`,
        );
      } else if (!Array.isArray(proof.hashes) || !verifyInclusion(entry.hash, proof, checkpoint.rootHash)) {
        problems.push(`${name}: its inclusion proof does not lead to the signed root ${checkpoint.rootHash}`);
      } else proven++;
    }
    previous = entry;
  }
  return { ok: problems.length === 0, patientId, events: entries.length, proven, checkpoint, problems };
}

function failed(patientId: string | null, problems: string[]): ExportCheck {
  return { ok: false, patientId, events: 0, proven: 0, checkpoint: null, problems };
}

function hashOf(event: StoredEvent): string | null {
  try {
    return hashEvent(event, event.previousHash);
  } catch {
    return null;
  }
}

function storedEventOf(entry: ExportedEntry): StoredEvent | null {
  const { streamId, globalPosition, metadata, previousHash } = entry;
  if (typeof streamId !== 'string' || !Number.isSafeInteger(globalPosition) || !metadata || typeof metadata !== 'object' || previousHash === undefined)
    return null;
  return {
    eventId: entry.eventId,
    streamId,
    streamVersion: entry.version,
    globalPosition: globalPosition as number,
    type: entry.type,
    schemaVersion: entry.schemaVersion,
    data: entry.data,
    metadata,
    hash: entry.hash,
    previousHash,
  };
}

function asCheckpoint(value: unknown): SignedCheckpoint | null {
  const c = value as Partial<SignedCheckpoint> | null | undefined;
  if (!c || !Number.isSafeInteger(c.treeSize) || typeof c.rootHash !== 'string' || typeof c.signedAt !== 'string') return null;
  if (typeof c.keyId !== 'string' || typeof c.signature !== 'string') return null;
  return { treeSize: c.treeSize as number, rootHash: c.rootHash, signedAt: c.signedAt, keyId: c.keyId, signature: c.signature };
}
