import { sign, verify } from 'node:crypto';
import type { SignedCheckpoint } from '@vigil/event-store';
import type { AuditPublicKey, AuditSigningKey } from './signing-key';

/**
 * The exact text an Ed25519 signature covers, UTF-8, four lines each ending with "\n":
 *
 *     vigil-checkpoint-v1
 *     tree-size 1000
 *     root-hash <64 hex>
 *     signed-at 2026-03-02T09:00:00.000Z
 *
 * Plain text so that an inspector can rebuild it with printf and check it with openssl (README,
 * "For inspectors"). The key id is not in it: the signature verifies under one key or it does not.
 */
export function checkpointText(checkpoint: Pick<SignedCheckpoint, 'treeSize' | 'rootHash' | 'signedAt'>): string {
  return `vigil-checkpoint-v1\ntree-size ${checkpoint.treeSize}\nroot-hash ${checkpoint.rootHash}\nsigned-at ${checkpoint.signedAt}\n`;
}

export function signCheckpoint(key: AuditSigningKey, treeSize: number, rootHash: string, signedAt = new Date().toISOString()): SignedCheckpoint {
  const signature = sign(null, Buffer.from(checkpointText({ treeSize, rootHash, signedAt }), 'utf8'), key.privateKey).toString('base64');
  return { treeSize, rootHash, signedAt, keyId: key.publicKey.keyId, signature };
}

/** Why a checkpoint's signature does not hold under `key`, or null when it does. */
export function signatureProblem(checkpoint: SignedCheckpoint, key: AuditPublicKey): string | null {
  if (checkpoint.keyId !== key.keyId) return `signed by key ${checkpoint.keyId}, not by the audit signing key ${key.keyId}`;
  const signature = Buffer.from(checkpoint.signature, 'base64');
  let valid: boolean;
  try {
    valid = signature.length === 64 && verify(null, Buffer.from(checkpointText(checkpoint), 'utf8'), key.key, signature);
  } catch {
    valid = false;
  }
  return valid ? null : 'its Ed25519 signature does not match its tree size, root hash and time: the checkpoint was altered';
}
