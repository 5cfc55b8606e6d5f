import { Inject, Injectable } from '@nestjs/common';
import { evolve, initialPatientState, patientStream, PatientState, toPatientEvent } from '@vigil/domain';
import { EVENT_STORE, EventStore, StoredEvent } from '@vigil/event-store';

export interface LoadedPatient {
  state: PatientState;
  /** Stream version the state was folded up to (0 when the patient does not exist). */
  version: number;
}

const CACHE_LIMIT = 10_000;

/**
 * Loads a patient's state by folding its stream. Folded states are cached by version: a load reads
 * only the events appended since, so it stays correct when another process writes the same stream.
 */
@Injectable()
export class PatientRepository {
  private readonly cache = new Map<string, LoadedPatient>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async load(patientId: string): Promise<LoadedPatient> {
    const streamId = patientStream(patientId);
    const cached = this.cache.get(streamId);
    const newer = await this.store.readStream(streamId, { fromVersion: (cached?.version ?? 0) + 1 });
    const loaded = this.fold(cached ?? { state: initialPatientState, version: 0 }, newer);
    this.remember(streamId, loaded);
    return loaded;
  }

  /** Folds freshly appended events into the cached state, so the next load reads nothing. */
  advance(patientId: string, from: LoadedPatient, appended: StoredEvent[]): LoadedPatient {
    const loaded = this.fold(from, appended);
    this.remember(patientStream(patientId), loaded);
    return loaded;
  }

  private fold(from: LoadedPatient, events: StoredEvent[]): LoadedPatient {
    let { state, version } = from;
    for (const stored of events) {
      if (stored.streamVersion !== version + 1) return from; // someone else's events interleaved: let the next load refold
      state = evolve(state, toPatientEvent(stored));
      version = stored.streamVersion;
    }
    return { state, version };
  }

  private remember(streamId: string, loaded: LoadedPatient): void {
    if (loaded.version === 0) return;
    this.cache.delete(streamId);
    this.cache.set(streamId, loaded);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
  }
}
