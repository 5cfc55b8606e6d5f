import { Inject, Injectable } from '@nestjs/common';
import { PatientFold, patientStream, type PatientState } from '@vigil/domain';
import { EVENT_STORE, StreamFolds, type EventStore, type Fold, type StoredEvent, type StreamState } from '@vigil/event-store';

const foldOf = (fold: PatientFold): Fold<PatientState> => ({
  get version() {
    return fold.version;
  },
  get state() {
    return fold.state;
  },
  apply: (event) => void fold.applyStored(event),
  snapshot: () => fold.snapshot(),
});

/**
 * Patients' states for the command path and the queries that need a patient now: the domain's one fold
 * (PatientFold) of each patient's stream, kept between requests; a load reads only what was appended since.
 */
@Injectable()
export class PatientStates {
  private readonly folds: StreamFolds<PatientState>;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.folds = new StreamFolds(store, () => foldOf(new PatientFold()));
  }

  /** For the command path: a live view, valid until the next event is folded in. */
  load(streamId: string): Promise<StreamState<PatientState>> {
    return this.folds.load(streamId);
  }

  /** For a query's answer: a value of its own. */
  read(patientId: string): Promise<StreamState<PatientState>> {
    return this.folds.read(patientStream(patientId));
  }

  advance(streamId: string, events: readonly StoredEvent[]): void {
    this.folds.advance(streamId, events);
  }
}
