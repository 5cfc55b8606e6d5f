import type { AdverseEventReportedData, DoseAdministeredData, LabResultRecordedData } from '../events';
import type { PatientState, RecordedEntry } from './patient-state';

/** The three kinds of clinical record a patient state holds, by their field in the state. */
export interface RecordData {
  doses: DoseAdministeredData;
  labs: LabResultRecordedData;
  adverseEvents: AdverseEventReportedData;
}
export type RecordKind = keyof RecordData;
export const RECORD_KINDS: readonly RecordKind[] = ['doses', 'labs', 'adverseEvents'];

/** One record as it stood from `version` on; `previous` is how it stood before. Never changed once written. */
interface Revision<D> {
  version: number;
  entry: RecordedEntry<D>;
  previous: Revision<D> | undefined;
}

type Revisions = { [K in RecordKind]: Map<string, Revision<RecordData[K]>> };

const asOf = <D>(newest: Revision<D> | undefined, version: number): Revision<D> | undefined => {
  let revision = newest;
  while (revision !== undefined && revision.version > version) revision = revision.previous;
  return revision;
};

/**
 * The clinical records of a line of patient states, shared by all of them, so that evolving a state
 * with one more event costs one write instead of a copy of every record (a fold of n events was
 * quadratic). Each record keeps its revisions, newest first; a state reads the journal as of its own
 * version, so a state never sees what was written after it.
 *
 * Only the newest state of the line (`head`) may write into the journal in place. Evolving an older
 * state (a caller keeping it, e.g. a cache that falls back to it) forks the journal as of that older
 * version first: states already handed out never change, whoever evolves them and how often.
 */
export class RecordJournal {
  /** Which record each version wrote (an event writes at most one), for versions written in this journal. */
  private readonly log: ({ kind: RecordKind; id: string } | undefined)[] = [];

  private constructor(
    /** Version of the newest state written: the only one that may extend the journal in place. */
    public head: number,
    private readonly revisions: Revisions,
  ) {}

  static empty(version: number): RecordJournal {
    return new RecordJournal(version, { doses: new Map(), labs: new Map(), adverseEvents: new Map() });
  }

  /** A journal of a state that has none (the initial state, a state read back from JSON, one built by hand). */
  static of(state: PatientState): RecordJournal {
    const journal = RecordJournal.empty(state.version);
    for (const kind of RECORD_KINDS) {
      const records = state[kind] as Readonly<Record<string, RecordedEntry<unknown>>>;
      const revisions = journal.revisions[kind] as Map<string, Revision<unknown>>;
      for (const id of Object.keys(records)) revisions.set(id, { version: state.version, entry: records[id], previous: undefined });
    }
    return journal;
  }

  /** A journal of its own holding this one as of `version`: revisions are shared, not copied. */
  forkAt(version: number): RecordJournal {
    const fork = RecordJournal.empty(version);
    for (const kind of RECORD_KINDS) {
      const revisions = fork.revisions[kind] as Map<string, Revision<unknown>>;
      for (const [id, newest] of this.revisions[kind] as Map<string, Revision<unknown>>) {
        const revision = asOf(newest, version);
        if (revision !== undefined) revisions.set(id, revision);
      }
    }
    return fork;
  }

  /** Writes a record as it stands from `version` on. Only the head may write, one version after it. */
  write<K extends RecordKind>(kind: K, id: string, entry: RecordedEntry<RecordData[K]>, version: number): void {
    const revisions = this.revisions[kind] as Map<string, Revision<RecordData[K]>>;
    revisions.set(id, { version, entry, previous: revisions.get(id) });
    this.log[version] = { kind, id };
  }

  /**
   * The record `version` wrote, if this journal wrote it: undefined for a version that wrote none
   * (an enrolment) and for versions from before the journal (a journal of a state read back, a fork).
   */
  writtenAt(version: number): { kind: RecordKind; id: string } | undefined {
    return this.log[version];
  }

  entryAt<K extends RecordKind>(kind: K, id: string, version: number): RecordedEntry<RecordData[K]> | undefined {
    return asOf((this.revisions[kind] as Map<string, Revision<RecordData[K]>>).get(id), version)?.entry;
  }

  /** The records of a kind as of `version`, in the order they were first recorded. */
  entriesAt<K extends RecordKind>(kind: K, version: number): RecordedEntry<RecordData[K]>[] {
    const entries: RecordedEntry<RecordData[K]>[] = [];
    for (const newest of (this.revisions[kind] as Map<string, Revision<RecordData[K]>>).values()) {
      const revision = asOf(newest, version);
      if (revision !== undefined) entries.push(revision.entry);
    }
    return entries;
  }

  /** The records of a kind as of `version` as the state shows them: a plain object keyed by event id, frozen. */
  viewAt<K extends RecordKind>(kind: K, version: number): Readonly<Record<string, RecordedEntry<RecordData[K]>>> {
    const view: Record<string, RecordedEntry<RecordData[K]>> = {};
    for (const [id, newest] of this.revisions[kind] as Map<string, Revision<RecordData[K]>>) {
      const revision = asOf(newest, version);
      if (revision === undefined) continue;
      // An assignment to "__proto__" would set the prototype, not add the record.
      if (id === '__proto__') Object.defineProperty(view, id, { value: revision.entry, enumerable: true, writable: true, configurable: true });
      else view[id] = revision.entry;
    }
    return Object.freeze(view);
  }
}

/** The journal each state evolved by this domain reads its records from. */
const journals = new WeakMap<PatientState, RecordJournal>();

export const journalOf = (state: PatientState): RecordJournal | undefined => journals.get(state);

/** The state's fields other than its records. */
export type PatientStateFields = Omit<PatientState, RecordKind>;

/**
 * A patient state reading its records from `journal` as of its version. It looks and serialises as
 * a plain object: `doses`, `labs` and `adverseEvents` are built (once, then frozen) when first read,
 * so a command that never reads them all never pays for them.
 */
export function journalledState(fields: PatientStateFields, journal: RecordJournal): PatientState {
  const { version } = fields;
  let doses: PatientState['doses'] | undefined;
  let labs: PatientState['labs'] | undefined;
  let adverseEvents: PatientState['adverseEvents'] | undefined;
  const state: PatientState = Object.freeze({
    enrolled: fields.enrolled,
    patientId: fields.patientId,
    trialId: fields.trialId,
    siteId: fields.siteId,
    disease: fields.disease,
    demographics: fields.demographics,
    enrolledAt: fields.enrolledAt,
    get doses() {
      return (doses ??= journal.viewAt('doses', version));
    },
    get labs() {
      return (labs ??= journal.viewAt('labs', version));
    },
    get adverseEvents() {
      return (adverseEvents ??= journal.viewAt('adverseEvents', version));
    },
    version,
  });
  journals.set(state, journal);
  return state;
}

/** One record of the state by the event id that first recorded it, without building the whole view. */
export function recordOf<K extends RecordKind>(state: PatientState, kind: K, id: string): RecordedEntry<RecordData[K]> | undefined {
  const journal = journals.get(state);
  if (journal) return journal.entryAt(kind, id, state.version);
  const records = state[kind] as Readonly<Record<string, RecordedEntry<RecordData[K]>>>;
  return Object.prototype.hasOwnProperty.call(records, id) ? records[id] : undefined;
}

/** The records of a kind in the state, in the order they were first recorded, without building the whole view. */
export function recordsOf<K extends RecordKind>(state: PatientState, kind: K): RecordedEntry<RecordData[K]>[] {
  const journal = journals.get(state);
  if (journal) return journal.entriesAt(kind, state.version);
  return Object.values(state[kind] as Readonly<Record<string, RecordedEntry<RecordData[K]>>>);
}
