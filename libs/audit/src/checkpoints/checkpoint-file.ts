import { existsSync, readFileSync } from 'node:fs';
import type { SignedCheckpoint } from '@vigil/event-store';
import type { WitnessedCheckpoint } from './checkpoint-check';

/**
 * The checkpoints published to the plain file VIGIL_CHECKPOINT_LOG, one `CheckpointSigned` JSON message
 * a line (libs/messaging checkpoint-channels.ts writes them). A line that is not a checkpoint (a last
 * line cut short by a crash) is left out; a missing file holds none.
 */
export function checkpointsInFile(file: string): WitnessedCheckpoint[] {
  if (!existsSync(file)) return [];
  const found: WitnessedCheckpoint[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const checkpoint = parseCheckpoint(line);
    if (checkpoint) found.push({ checkpoint, source: `checkpoint file ${file}` });
  }
  return found;
}

function parseCheckpoint(line: string): SignedCheckpoint | null {
  if (!line.trim()) return null;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  const { treeSize, rootHash, signedAt, keyId, signature } = value;
  if (value.type !== 'CheckpointSigned' || !Number.isSafeInteger(treeSize) || (treeSize as number) < 1) return null;
  if (typeof rootHash !== 'string' || typeof signedAt !== 'string' || typeof keyId !== 'string' || typeof signature !== 'string') return null;
  return { treeSize: treeSize as number, rootHash, signedAt, keyId, signature };
}
