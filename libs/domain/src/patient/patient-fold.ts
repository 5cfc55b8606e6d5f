import type { PatientEvent } from '../events';
import { upcast } from '../upcasting';
import { applyEvent, ownCopy, type PatientDraft, type StoredPatientEvent } from './evolve';
import { initialPatientState, type PatientState } from './patient-state';

/** A stored envelope as the EventStore returns it (StoredEvent fits). */
export interface StoredEnvelope {
  eventId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata?: { recordedAt?: string };
}

/** An envelope's event in its current schema version (older versions upcast on read), with its id and recording time. */
export function toPatientEvent(stored: StoredEnvelope): StoredPatientEvent {
  const current = upcast(stored.type, stored.schemaVersion, stored.data);
  const event = { type: stored.type, version: current.schemaVersion, data: current.data } as PatientEvent;
  const recordedAt = stored.metadata?.recordedAt;
  return recordedAt ? { eventId: stored.eventId, event, recordedAt } : { eventId: stored.eventId, event };
}

/**
 * A fold of one patient's stream that its owner advances in place: the same step as `evolve`
 * (`applyEvent`), without copying a collection per event, so folding n events costs O(n) where n calls
 * of `evolve` cost O(n²). Its `state` is a live view, valid until the next `apply`: an owner that keeps
 * a state across further events takes a `snapshot()`. Owners: the API's patient cache, the alerting
 * reactor's working set, a replay.
 */
export class PatientFold {
  private readonly draft: PatientDraft;

  constructor(from: PatientState = initialPatientState) {
    this.draft = {
      ...from,
      doses: ownCopy(from.doses),
      labs: ownCopy(from.labs),
      adverseEvents: ownCopy(from.adverseEvents),
      followUps: ownCopy(from.followUps),
      treatment: [...from.treatment],
    };
  }

  /** Folds one event (already in its current schema). */
  apply(stored: StoredPatientEvent): this {
    applyEvent(this.draft, stored);
    return this;
  }

  /** Folds a stored envelope, upcasting it first. */
  applyStored(stored: StoredEnvelope): this {
    return this.apply(toPatientEvent(stored));
  }

  get version(): number {
    return this.draft.version;
  }

  /** The state folded so far, as a live view: valid until the next `apply`. */
  get state(): PatientState {
    return this.draft;
  }

  /** The state folded so far, as a value of its own that further `apply` calls leave as it is. */
  snapshot(): PatientState {
    return new PatientFold(this.draft).draft;
  }
}

/** The patient's state from their stream, in order: one fold over the upcast events. */
export function replayPatient(stored: Iterable<StoredEnvelope>, from: PatientState = initialPatientState): PatientState {
  let fold: PatientFold | undefined;
  for (const envelope of stored) (fold ??= new PatientFold(from)).applyStored(envelope);
  return fold ? fold.state : from;
}
