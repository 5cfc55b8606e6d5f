import type { StoredPatientEvent } from './evolve';
import type { PatientState, RecordedEntry } from './patient-state';
import { journalledState, journalOf, RecordJournal, type PatientStateFields, type RecordData, type RecordKind } from './record-journal';

/**
 * Folds patient events one after another into a working copy it owns, writing each record change
 * once into a journal (record-journal.ts) instead of copying the state: folding n events is O(n).
 * `state()` hands out an immutable state at any point; folding on never changes a state handed out.
 * `evolve` is one step of it; `replayPatient` a whole stream.
 */
export class PatientFold {
  /** The state's fields other than its records and version. */
  private fields: Omit<PatientStateFields, 'version'>;
  private version: number;
  private journal: RecordJournal;

  constructor(from: PatientState) {
    this.version = from.version;
    this.fields = {
      enrolled: from.enrolled,
      patientId: from.patientId,
      trialId: from.trialId,
      siteId: from.siteId,
      disease: from.disease,
      demographics: from.demographics,
      enrolledAt: from.enrolledAt,
    };
    this.journal = journalOf(from) ?? RecordJournal.of(from);
  }

  /**
   * Folds one event. A correction or void of an event the state does not hold cannot come from
   * `decide`; it means the stream is damaged, and the fold throws (before changing anything) rather
   * than show values that silently ignore a recorded change.
   */
  apply(stored: StoredPatientEvent): this {
    const { eventId, event } = stored;
    const version = this.version + 1;
    switch (event.type) {
      case 'PatientEnrolled': {
        const d = event.data;
        this.advance(version);
        this.fields = {
          enrolled: true,
          patientId: d.patientId,
          trialId: d.trialId,
          siteId: d.siteId,
          disease: d.disease,
          demographics: { sex: d.sex, birthYear: d.birthYear, weightKg: d.weightKg },
          enrolledAt: d.enrolledAt,
        };
        return this;
      }
      case 'DoseAdministered':
        return this.record('doses', eventId, event.data, version);
      case 'LabResultRecorded':
        return this.record('labs', eventId, event.data, version);
      case 'AdverseEventReported':
        return this.record('adverseEvents', eventId, event.data, version);
      case 'LabResultCorrected':
        return this.correct('labs', event.data, eventId, event.type, version);
      case 'DoseCorrected':
        return this.correct('doses', event.data, eventId, event.type, version);
      case 'AdverseEventCorrected':
        return this.correct('adverseEvents', event.data, eventId, event.type, version);
      case 'LabResultEnteredInError':
        return this.void('labs', event.data, event.type, version);
      case 'DoseEnteredInError':
        return this.void('doses', event.data, event.type, version);
      case 'AdverseEventEnteredInError':
        return this.void('adverseEvents', event.data, event.type, version);
      default: {
        const unknown: never = event;
        throw new Error(`evolve: unknown patient event ${JSON.stringify((unknown as { type?: unknown }).type)}`);
      }
    }
  }

  /** The state folded so far: immutable, and unchanged by whatever is folded afterwards. */
  state(): PatientState {
    return journalledState({ ...this.fields, version: this.version }, this.journal);
  }

  private record<K extends RecordKind>(kind: K, eventId: string, data: RecordData[K], version: number): this {
    const entry: RecordedEntry<RecordData[K]> = { eventId, original: data, current: data, voided: false, corrections: [], recordedSeq: version };
    this.advance(version).write(kind, eventId, entry, version);
    return this;
  }

  private correct<K extends RecordKind>(
    kind: K,
    data: { originalEventId: string; newValues: RecordData[K] },
    correctionEventId: string,
    type: string,
    version: number,
  ): this {
    const entry = this.target(kind, data.originalEventId, type);
    const corrected = { ...entry, current: data.newValues, corrections: [...entry.corrections, correctionEventId] };
    this.advance(version).write(kind, entry.eventId, corrected, version);
    return this;
  }

  private void<K extends RecordKind>(kind: K, data: { originalEventId: string; reason: string }, type: string, version: number): this {
    const entry = this.target(kind, data.originalEventId, type);
    this.advance(version).write(kind, entry.eventId, { ...entry, voided: true, voidReason: data.reason }, version);
    return this;
  }

  private target<K extends RecordKind>(kind: K, id: string, type: string): RecordedEntry<RecordData[K]> {
    const entry = this.journal.entryAt(kind, id, this.version);
    if (!entry) throw new Error(`patient stream damaged: ${type} targets unknown event ${id}`);
    return entry;
  }

  /**
   * Takes the journal to `version`, forking it first when a state newer than ours was folded into it
   * meanwhile (someone evolved a state we handed out, or an older one): ours must not show through it.
   */
  private advance(version: number): RecordJournal {
    if (this.journal.head !== this.version) this.journal = this.journal.forkAt(this.version);
    this.journal.head = version;
    this.version = version;
    return this.journal;
  }
}
