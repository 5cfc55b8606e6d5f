/**
 * Random patient histories for property tests: results, doses and adverse events at a few instants (so that
 * ties of clinical time are common), corrections and voids of records that exist, reports, assessments and
 * treatment status changes. Written as the stored events of one patient's stream.
 */
import fc from 'fast-check';
import type {
  AdverseEventReportedData,
  DiseaseCode,
  DoseAdministeredData,
  LabResultRecordedData,
  LabTestCode,
  PatientEvent,
  Relatedness,
  TreatmentStatus,
} from '../events';
import type { StoredPatientEvent } from '../patient/evolve';

export const INSTANTS = [
  '2024-01-05T08:00:00.000Z',
  '2024-01-08T08:00:00Z',
  '2024-01-08T09:00:00+01:00',
  '2024-01-10T09:00:00.000Z',
  '2024-01-11T08:00:00.000Z',
  '2024-01-12T08:00:00.000Z',
  '2024-01-20T08:00:00.000Z',
  '2024-02-01T08:00:00.000Z',
];
const TESTS: LabTestCode[] = ['PLAT', 'WBC', 'LYM', 'NEUT', 'ALT', 'AST', 'ALP', 'BILI', 'CREAT', 'HGB', 'CRP'];
const DISEASES: DiseaseCode[] = ['RA', 'AIH', 'SLE', 'GPA'];

const instant = fc.constantFrom(...INSTANTS);
export const labData: fc.Arbitrary<LabResultRecordedData> = fc
  .record({
    test: fc.constantFrom(...TESTS),
    value: fc.oneof(
      fc.constantFrom(0, 0.15, 0.5, 0.6, 1, 2, 3.5, 40, 79.9, 80, 100, 105, 150, 200, 250, 450, 900),
      fc.double({ min: 0, max: 600, noNaN: true }),
    ),
    low: fc.option(fc.constantFrom(1, 4, 120, 150), { nil: undefined }),
    high: fc.option(fc.constantFrom(0, 5, 21, 40, 90, 400), { nil: undefined }),
    collectedAt: instant,
  })
  .map(({ test, value, low, high, collectedAt }) => {
    const range = low === undefined && high === undefined ? undefined : { ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) };
    return {
      patientId: 'P-1',
      test,
      value,
      unit: 'U',
      collectedAt,
      normalised: { value, unit: 'U', ...(range ? { referenceRange: range } : {}) },
      ...(range ? { referenceRange: range } : {}),
    };
  });
const doseData: fc.Arbitrary<DoseAdministeredData> = fc
  .record({ dose: fc.constantFrom(1, 1, 2), route: fc.constantFrom('SC', 'SC', 'IV'), administeredAt: instant })
  .map((d) => ({ patientId: 'P-1', unit: 'MIU', ...d }));
const aeData: fc.Arbitrary<AdverseEventReportedData> = fc
  .record({ grade: fc.integer({ min: 1, max: 5 }), onsetAt: instant, serious: fc.boolean(), fatal: fc.boolean() })
  .map(({ grade, onsetAt, serious, fatal }) => {
    const isSerious = serious || grade === 5;
    return {
      patientId: 'P-1',
      term: 'fever',
      onsetAt,
      awareAt: onsetAt,
      grade,
      serious: isSerious,
      ...(isSerious ? { seriousnessCriteria: [grade === 5 ? ('death' as const) : ('hospitalisation' as const)] } : {}),
      ...(isSerious && (fatal || grade === 5) ? { outcome: 'fatal' as const } : {}),
    };
  });

type Kind = 'labs' | 'doses' | 'adverseEvents';
export type Step =
  | { op: 'enrol'; disease: DiseaseCode; sex: 'F' | 'M'; birthYear: number; weightKg: number }
  | { op: 'lab'; data: LabResultRecordedData }
  | { op: 'dose'; data: DoseAdministeredData }
  | { op: 'ae'; data: AdverseEventReportedData }
  | { op: 'correct'; kind: Kind; pick: number; lab: LabResultRecordedData; dose: DoseAdministeredData; ae: AdverseEventReportedData }
  | { op: 'void'; kind: Kind; pick: number }
  | { op: 'follow-up'; what: 'sponsor' | 'assess' | 'regulator'; pick: number; at: string; expected: boolean; causality: Relatedness }
  | { op: 'status'; status: TreatmentStatus; at: string };

const kind = fc.constantFrom<Kind>('labs', 'labs', 'doses', 'adverseEvents');
export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('enrol' as const),
      disease: fc.constantFrom(...DISEASES),
      sex: fc.constantFrom<'F' | 'M'>('F', 'M'),
      birthYear: fc.constantFrom(1950, 1990),
      weightKg: fc.constantFrom(50, 90),
    }),
  },
  { weight: 8, arbitrary: fc.record({ op: fc.constant('lab' as const), data: labData }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('dose' as const), data: doseData }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('ae' as const), data: aeData }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('correct' as const), kind, pick: fc.nat(), lab: labData, dose: doseData, ae: aeData }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('void' as const), kind, pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('follow-up' as const),
      what: fc.constantFrom<'sponsor' | 'assess' | 'regulator'>('sponsor', 'assess', 'regulator'),
      pick: fc.nat(),
      at: instant,
      expected: fc.boolean(),
      causality: fc.constantFrom<Relatedness>('not-related', 'possible', 'definite'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('status' as const),
      status: fc.constantFrom<TreatmentStatus>('suspended', 'discontinued', 'on-treatment'),
      at: instant,
    }),
  },
);
export const steps = (max: number): fc.Arbitrary<Step[]> => fc.array(step, { maxLength: max });

/** Writes steps as the events of a stream, naming records that exist (a correction of nothing is skipped). */
export class StreamWriter {
  private readonly ids: Record<Kind, string[]>;
  /** Each record's values as they stand, for the `oldValues` of its corrections and voids. */
  private readonly values = new Map<string, unknown>();

  constructor(
    private version = 0,
    ids?: Record<Kind, string[]>,
  ) {
    this.ids = ids ? { labs: [...ids.labs], doses: [...ids.doses], adverseEvents: [...ids.adverseEvents] } : { labs: [], doses: [], adverseEvents: [] };
  }

  copy(): StreamWriter {
    return new StreamWriter(this.version, this.ids);
  }

  write(all: readonly Step[], tag = ''): StoredPatientEvent[] {
    return all.flatMap((s) => {
      const event = this.event(s);
      if (!event) return [];
      this.version += 1;
      // Some ids look like array indices: plain objects order those first, a Map does not.
      const eventId = this.version % 3 === 0 && !tag ? String(this.version) : `e${this.version}${tag}`;
      if (event.type === 'LabResultRecorded') this.ids.labs.push(eventId);
      if (event.type === 'DoseAdministered') this.ids.doses.push(eventId);
      if (event.type === 'AdverseEventReported') this.ids.adverseEvents.push(eventId);
      if (event.type === 'LabResultRecorded' || event.type === 'DoseAdministered' || event.type === 'AdverseEventReported')
        this.values.set(eventId, event.data);
      const corrected = event.data as { originalEventId?: string; newValues?: unknown };
      if (corrected.originalEventId && corrected.newValues) this.values.set(corrected.originalEventId, corrected.newValues);
      return [{ eventId, event, recordedAt: INSTANTS[INSTANTS.length - 1] }];
    });
  }

  private event(s: Step): PatientEvent | null {
    switch (s.op) {
      case 'enrol':
        return {
          type: 'PatientEnrolled',
          version: 1,
          data: {
            patientId: 'P-1',
            trialId: 'TRANSREG',
            siteId: 'PSL',
            disease: s.disease,
            sex: s.sex,
            birthYear: s.birthYear,
            weightKg: s.weightKg,
            enrolledAt: INSTANTS[0],
          },
        };
      case 'lab':
        return { type: 'LabResultRecorded', version: 2, data: s.data };
      case 'dose':
        return { type: 'DoseAdministered', version: 1, data: s.data };
      case 'ae':
        return { type: 'AdverseEventReported', version: 1, data: s.data };
      case 'status':
        return { type: 'TreatmentStatusChanged', version: 1, data: { patientId: 'P-1', status: s.status, effectiveAt: s.at, reason: 'why' } };
      case 'follow-up': {
        const ids = this.ids.adverseEvents;
        if (ids.length === 0) return null;
        const adverseEventId = ids[s.pick % ids.length];
        if (s.what === 'assess') {
          return {
            type: 'AdverseEventAssessed',
            version: 1,
            data: { patientId: 'P-1', adverseEventId, expected: s.expected, causality: s.causality, assessedAt: s.at },
          };
        }
        const type = s.what === 'sponsor' ? 'SponsorReportRecorded' : 'RegulatoryReportRecorded';
        return { type, version: 1, data: { patientId: 'P-1', adverseEventId, reportedAt: s.at } } as PatientEvent;
      }
      case 'correct':
      case 'void': {
        const ids = this.ids[s.kind];
        if (ids.length === 0) return null;
        const originalEventId = ids[s.pick % ids.length];
        const base = { patientId: 'P-1', originalEventId, reason: 'why', oldValues: (this.values.get(originalEventId) ?? {}) as never };
        if (s.op === 'void') {
          const type = s.kind === 'labs' ? 'LabResultEnteredInError' : s.kind === 'doses' ? 'DoseEnteredInError' : 'AdverseEventEnteredInError';
          return { type, version: 1, data: base } as PatientEvent;
        }
        const changes = { changedFields: ['value'] };
        if (s.kind === 'labs') return { type: 'LabResultCorrected', version: 1, data: { ...base, ...changes, newValues: s.lab } };
        if (s.kind === 'doses') return { type: 'DoseCorrected', version: 1, data: { ...base, ...changes, newValues: s.dose } };
        return { type: 'AdverseEventCorrected', version: 1, data: { ...base, ...changes, newValues: s.ae } };
      }
    }
  }
}

/** The events as the store hands them out (envelopes), for the folds that upcast on the way in. */
export const envelopes = (events: readonly StoredPatientEvent[]) =>
  events.map(({ eventId, event, recordedAt }) => ({ eventId, type: event.type, schemaVersion: event.version, data: event.data, metadata: { recordedAt } }));
