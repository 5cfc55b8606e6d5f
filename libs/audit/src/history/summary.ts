import type { StoredEvent } from '@vigil/event-store';
import { changesOf, FieldChange } from './changes';
import { unitInWords } from './units-in-words';
import { utcInWords } from './utc';

type Data = Record<string, unknown>;
type Summarise = (data: Data, event: StoredEvent) => string;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const quoted = (value: unknown): string => `"${text(value)}"`;

function labResult(d: Data): string {
  const normalised = d.normalised as Data | undefined;
  const canonical = normalised ? ` (${text(normalised.value)} ${unitInWords(normalised.unit)})` : '';
  return `lab result ${text(d.test)} ${text(d.value)} ${text(d.unit)}${canonical} collected ${utcInWords(d.collectedAt)}`;
}

function dose(d: Data): string {
  const lot = d.lot ? `, lot ${text(d.lot)}` : '';
  return `dose ${text(d.dose)} ${text(d.unit)} ${text(d.route)}${lot} administered ${utcInWords(d.administeredAt)}`;
}

function adverseEvent(d: Data): string {
  const criteria = Array.isArray(d.seriousnessCriteria) && d.seriousnessCriteria.length > 0 ? ` (${d.seriousnessCriteria.join(', ')})` : '';
  const parts = [
    `adverse event ${quoted(d.term)}`,
    `CTCAE grade ${text(d.grade)}`,
    d.serious ? `serious${criteria}` : 'not serious',
    ...(d.relatedness ? [`relatedness ${text(d.relatedness)}`] : []),
    ...(d.outcome ? [`outcome ${text(d.outcome)}`] : []),
  ];
  return `${parts.join(', ')}, onset ${utcInWords(d.onsetAt)}`;
}

const referenceOf = (d: Data): string => (d.reference ? `, reference ${text(d.reference)}` : '');

const capitalised = (sentence: string): string => sentence.charAt(0).toUpperCase() + sentence.slice(1);
const because = (d: Data, event: StoredEvent): string => {
  const reason = event.metadata.reason ?? d.reason;
  return reason ? `. Reason: ${text(reason)}` : '';
};

function changesInWords(changes: FieldChange[]): string {
  const shown = (value: unknown) => (value === null ? '(none)' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  return changes.map((c) => `${c.field} ${shown(c.old)} → ${shown(c.new)}`).join('; ');
}

const correction =
  (record: (d: Data) => string): Summarise =>
  (d, event) => {
    const changes = changesOf(d) ?? [];
    const original = d.oldValues ? record(d.oldValues as Data) : `event ${text(d.originalEventId)}`;
    return `Corrected ${original}: ${changes.length > 0 ? changesInWords(changes) : 'no field changed'}${because(d, event)}`;
  };

const enteredInError =
  (record: (d: Data) => string): Summarise =>
  (d, event) => {
    const original = d.oldValues ? record(d.oldValues as Data) : `event ${text(d.originalEventId)}`;
    return `Marked entered in error: ${original}${because(d, event)}`;
  };

/** One sentence per event type, in the words of the trial (summaries of the audit trail). */
const SUMMARIES: Readonly<Record<string, Summarise>> = {
  PatientEnrolled: (d) =>
    `Enrolled patient ${text(d.patientId)} at site ${text(d.siteId)}: ${text(d.disease)}, sex ${text(d.sex)}, born ${text(d.birthYear)}, ` +
    `${text(d.weightKg)} kg, enrolled ${utcInWords(d.enrolledAt)}`,
  DoseAdministered: (d) => capitalised(dose(d)),
  LabResultRecorded: (d) => capitalised(labResult(d)),
  AdverseEventReported: (d) => capitalised(adverseEvent(d)),
  LabResultCorrected: correction(labResult),
  DoseCorrected: correction(dose),
  AdverseEventCorrected: correction(adverseEvent),
  LabResultEnteredInError: enteredInError(labResult),
  DoseEnteredInError: enteredInError(dose),
  AdverseEventEnteredInError: enteredInError(adverseEvent),
  AlertRaised: (d) => `Alert ${text(d.ruleId)} raised (${text(d.severity)}): ${text(d.message)}`,
  AlertAcknowledged: (d) => {
    const by = d.by as Data | undefined;
    const note = d.note ? `: ${quoted(d.note)}` : '';
    return `Alert acknowledged by ${text(by?.name ?? by?.userId)} at ${utcInWords(d.acknowledgedAt)}${note}`;
  },
  AlertEscalated: (d) => `Alert escalated at ${utcInWords(d.escalatedAt)}: ${text(d.reason)}`,
  AlertRetracted: (d) => `Alert retracted after correction ${text(d.correctionEventId)}: ${text(d.reason)}`,
  AlertUpdated: (d) => {
    const figures = (f: unknown) => {
      const x = (f ?? {}) as Data;
      const grade = x.grade === null || x.grade === undefined ? '' : `, grade ${text(x.grade)}`;
      return `${text(x.value)} ${text(x.unit)}${grade} (${text(x.severity)})`.replace(/\s+/g, ' ');
    };
    return `Alert ${text(d.ruleId)} updated after ${text(d.correctionEventId)}: ${figures(d.previous)} → ${figures(d.current)}: ${text(d.reason)}`;
  },
  AlertClosed: (d) =>
    `Alert closed: reported ${utcInWords(d.reportedAt)}${d.reference ? ` (${text(d.reference)})` : ''}, ${d.late ? 'after its deadline (late)' : 'in time'}`,
  SponsorReportRecorded: (d) => `Serious adverse event ${text(d.adverseEventId)} reported to the sponsor ${utcInWords(d.reportedAt)}${referenceOf(d)}`,
  AdverseEventAssessed: (d) =>
    `Adverse event ${text(d.adverseEventId)} assessed by the sponsor: ${d.expected ? 'expected' : 'unexpected'}, causality ${text(d.causality)}` +
    (d.note ? `: ${quoted(d.note)}` : ''),
  RegulatoryReportRecorded: (d) => `SUSAR ${text(d.adverseEventId)} reported to the regulator ${utcInWords(d.reportedAt)}${referenceOf(d)}`,
  TreatmentStatusChanged: (d) => `Treatment ${text(d.status)} from ${utcInWords(d.effectiveAt)}. Reason: ${text(d.reason)}`,
  PatientRecordViewed: (d) => `Viewed the ${text(d.view)} of patient ${text(d.patientId)}`,
};

/** The event in words, for a person reading the trail; an event type this code does not know is named as such. */
export function summaryOf(event: StoredEvent): string {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : { value: event.data }) as Data;
  const summarise = Object.prototype.hasOwnProperty.call(SUMMARIES, event.type) ? SUMMARIES[event.type] : undefined;
  if (summarise) {
    try {
      return summarise(data, event);
    } catch {
      // A malformed record must still appear in the trail: fall through to the generic sentence.
    }
  }
  return `${event.type.replace(/([a-z])([A-Z])/g, '$1 $2')} (schema version ${event.schemaVersion})`;
}
