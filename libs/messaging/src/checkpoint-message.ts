import type { SignedCheckpoint } from '@vigil/event-store';

/** The message type of a signed checkpoint leaving Vigil: not an alert (no alert id), its own Kafka topic. */
export const CHECKPOINT_SIGNED = 'CheckpointSigned';

/** `{type: 'CheckpointSigned', schemaVersion: 1, treeSize, rootHash, signedAt, keyId, signature}`. */
export interface CheckpointMessage extends SignedCheckpoint {
  type: typeof CHECKPOINT_SIGNED;
  schemaVersion: 1;
}

export function checkpointMessage(checkpoint: SignedCheckpoint): CheckpointMessage {
  const { treeSize, rootHash, signedAt, keyId, signature } = checkpoint;
  return { type: CHECKPOINT_SIGNED, schemaVersion: 1, treeSize, rootHash, signedAt, keyId, signature };
}

/** The exact bytes sent (and, on the webhook, HMAC-signed): one JSON line. */
export function checkpointMessageBody(checkpoint: SignedCheckpoint): string {
  return JSON.stringify(checkpointMessage(checkpoint));
}
