import { EventStore, InclusionProof, MerkleTreeReader, SignedCheckpoint, StoredEvent } from '@vigil/event-store';
import type { ExportIntegrity } from './history-export';

/**
 * The inclusion proof of each event against `checkpoint` (leaf = global position − 1), read from the
 * store's checkpoint log: tiles kept beside the log and the event hashes around each event. Events
 * recorded after the checkpoint get none.
 */
export async function exportIntegrity(store: EventStore, events: readonly StoredEvent[], checkpoint: SignedCheckpoint | null): Promise<ExportIntegrity> {
  const proofs = new Map<string, InclusionProof>();
  if (checkpoint && store.checkpoints) {
    const reader = new MerkleTreeReader(store.checkpoints, checkpoint.treeSize);
    for (const event of events) {
      if (event.globalPosition <= checkpoint.treeSize) proofs.set(event.eventId, await reader.inclusionProof(event.globalPosition - 1));
    }
  }
  return { events, checkpoint, proofs };
}
