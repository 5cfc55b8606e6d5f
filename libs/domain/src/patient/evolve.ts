import type { PatientEvent } from '../events';
import type { AdverseEventFollowUp, PatientState, RecordData, RecordedEntry, RecordKind, TreatmentStatusEntry } from './patient-state';

/**
 * One event of a patient's stream with its stored event id (corrections, voids and reports name the
 * record they are about by that id) and, when known, its recording time.
 */
export interface StoredPatientEvent {
  eventId: string;
  event: PatientEvent;
  recordedAt?: string;
}

/** A patient state whose collections the caller owns and may change in place (see PatientFold). */
export interface PatientDraft {
  enrolled: boolean;
  patientId: PatientState['patientId'];
  trialId: PatientState['trialId'];
  siteId: PatientState['siteId'];
  disease: PatientState['disease'];
  demographics: PatientState['demographics'];
  enrolledAt: PatientState['enrolledAt'];
  doses: Record<string, RecordedEntry<RecordData['doses']>>;
  labs: Record<string, RecordedEntry<RecordData['labs']>>;
  adverseEvents: Record<string, RecordedEntry<RecordData['adverseEvents']>>;
  followUps: Record<string, AdverseEventFollowUp>;
  treatment: TreatmentStatusEntry[];
  version: number;
}

/** Which collection of the state an event writes: evolve copies that one only. */
type Collection = RecordKind | 'followUps' | 'treatment';

const WRITES: { readonly [T in PatientEvent['type']]: Collection | null } = {
  PatientEnrolled: null,
  DoseAdministered: 'doses',
  DoseCorrected: 'doses',
  DoseEnteredInError: 'doses',
  LabResultRecorded: 'labs',
  LabResultCorrected: 'labs',
  LabResultEnteredInError: 'labs',
  AdverseEventReported: 'adverseEvents',
  AdverseEventCorrected: 'adverseEvents',
  AdverseEventEnteredInError: 'adverseEvents',
  SponsorReportRecorded: 'followUps',
  AdverseEventAssessed: 'followUps',
  RegulatoryReportRecorded: 'followUps',
  TreatmentStatusChanged: 'treatment',
};

/**
 * The patient decider's evolve: the state after one more event, as a reducer. The state given is not
 * changed; the new one shares every collection the event does not write. A correction or void of a record
 * the state does not hold cannot come from `decide`: it means the stream is damaged, and evolve throws
 * rather than show values that silently ignore a recorded change.
 */
export function evolve(state: PatientState, stored: StoredPatientEvent): PatientState {
  const draft = { ...state } as unknown as PatientDraft;
  const writes = WRITES[stored.event.type];
  if (writes === 'treatment') draft.treatment = [...state.treatment];
  // The collection this event writes is the draft's own copy; the others are shared with `state`, unchanged.
  else if (writes !== null) (draft as unknown as Record<Collection, object>)[writes] = ownCopy(state[writes] as Readonly<Record<string, unknown>>);
  applyEvent(draft, stored);
  if (writes !== null) Object.freeze(draft[writes]);
  return Object.freeze(draft) as PatientState;
}

/** A copy of a collection of records (spread defines each id as an own property, even "__proto__"). */
export function ownCopy<V>(records: Readonly<Record<string, V>>): Record<string, V> {
  return { ...records };
}

/** Sets a record by its id: an own property even for the id "__proto__" (an assignment would set the prototype instead). */
function put<V>(records: Record<string, V>, id: string, value: V): void {
  if (id === '__proto__') Object.defineProperty(records, id, { value, enumerable: true, writable: true, configurable: true });
  else records[id] = value;
}

/**
 * Writes one event into a draft the caller owns: the body of `evolve`, shared with PatientFold so that a
 * fold of a whole stream and the reducer cannot disagree.
 */
export function applyEvent(draft: PatientDraft, stored: StoredPatientEvent): void {
  const { eventId, event, recordedAt } = stored;
  const version = draft.version + 1;
  switch (event.type) {
    case 'PatientEnrolled': {
      const d = event.data;
      draft.enrolled = true;
      draft.patientId = d.patientId;
      draft.trialId = d.trialId;
      draft.siteId = d.siteId;
      draft.disease = d.disease;
      draft.demographics = { sex: d.sex, birthYear: d.birthYear, weightKg: d.weightKg };
      draft.enrolledAt = d.enrolledAt;
      break;
    }
    case 'DoseAdministered':
      record(draft.doses, eventId, event.data, version, recordedAt);
      break;
    case 'LabResultRecorded':
      record(draft.labs, eventId, event.data, version, recordedAt);
      break;
    case 'AdverseEventReported':
      record(draft.adverseEvents, eventId, event.data, version, recordedAt);
      break;
    case 'DoseCorrected':
      correct(draft.doses, eventId, event.data, event.type);
      break;
    case 'LabResultCorrected':
      correct(draft.labs, eventId, event.data, event.type);
      break;
    case 'AdverseEventCorrected':
      correct(draft.adverseEvents, eventId, event.data, event.type);
      break;
    case 'DoseEnteredInError':
      voidRecord(draft.doses, event.data, event.type);
      break;
    case 'LabResultEnteredInError':
      voidRecord(draft.labs, event.data, event.type);
      break;
    case 'AdverseEventEnteredInError':
      voidRecord(draft.adverseEvents, event.data, event.type);
      break;
    case 'SponsorReportRecorded': {
      const d = event.data;
      followUp(draft, d.adverseEventId, event.type, (f) => ({
        ...f,
        sponsorReports: [...f.sponsorReports, { eventId, reportedAt: d.reportedAt, ...(d.reference ? { reference: d.reference } : {}), recordedAt }],
      }));
      break;
    }
    case 'AdverseEventAssessed': {
      const d = event.data;
      const assessment = { eventId, expected: d.expected, causality: d.causality, assessedAt: d.assessedAt, ...(d.note ? { note: d.note } : {}) };
      followUp(draft, d.adverseEventId, event.type, (f) => ({ ...f, assessments: [...f.assessments, assessment] }));
      break;
    }
    case 'RegulatoryReportRecorded': {
      const d = event.data;
      followUp(draft, d.adverseEventId, event.type, (f) => ({
        ...f,
        regulatoryReports: [...f.regulatoryReports, { eventId, reportedAt: d.reportedAt, ...(d.reference ? { reference: d.reference } : {}), recordedAt }],
      }));
      break;
    }
    case 'TreatmentStatusChanged': {
      const d = event.data;
      draft.treatment.push({ eventId, status: d.status, effectiveAt: d.effectiveAt, reason: d.reason, recordedSeq: version });
      break;
    }
    default: {
      const unknown: never = event;
      throw new Error(`evolve: unknown patient event ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
  draft.version = version;
}

function record<D>(records: Record<string, RecordedEntry<D>>, eventId: string, data: D, version: number, recordedAt: string | undefined): void {
  put(records, eventId, {
    eventId,
    original: data,
    current: data,
    voided: false,
    corrections: [],
    recordedSeq: version,
    ...(recordedAt ? { recordedAt } : {}),
  });
}

function correct<D>(records: Record<string, RecordedEntry<D>>, eventId: string, data: { originalEventId: string; newValues: D }, type: string): void {
  const entry = target(records, data.originalEventId, type);
  put(records, entry.eventId, { ...entry, current: data.newValues, corrections: [...entry.corrections, eventId] });
}

function voidRecord<D>(records: Record<string, RecordedEntry<D>>, data: { originalEventId: string; reason: string }, type: string): void {
  const entry = target(records, data.originalEventId, type);
  put(records, entry.eventId, { ...entry, voided: true, voidReason: data.reason });
}

function target<D>(records: Record<string, RecordedEntry<D>>, id: string, type: string): RecordedEntry<D> {
  const entry = Object.prototype.hasOwnProperty.call(records, id) ? records[id] : undefined;
  if (!entry) throw new Error(`patient stream damaged: ${type} targets unknown event ${id}`);
  return entry;
}

function followUp(draft: PatientDraft, adverseEventId: string, type: string, change: (f: AdverseEventFollowUp) => AdverseEventFollowUp): void {
  target(draft.adverseEvents, adverseEventId, type);
  const known = Object.prototype.hasOwnProperty.call(draft.followUps, adverseEventId) ? draft.followUps[adverseEventId] : undefined;
  put(draft.followUps, adverseEventId, change(known ?? { sponsorReports: [], assessments: [], regulatoryReports: [] }));
}
