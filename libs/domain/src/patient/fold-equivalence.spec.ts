import fc from 'fast-check';
import type { AdverseEventReportedData, DiseaseCode, DoseAdministeredData, LabResultRecordedData, LabTestCode, PatientEvent } from '../events';
import { assessDose } from '../safety/dose-deviations';
import { assessLabResult, assessLabResults } from '../safety/assess-lab-result';
import { baselineFor, labBaselines } from '../safety/baseline';
import { naiveActiveAdverseEvents, naiveActiveDoses, naiveActiveLabs, naiveAssessLabResult, naiveBaselineFor, naiveReplay } from '../testing/naive-patient';
import type { PatientCommand } from './commands';
import { decide } from './decide';
import { evolve, type StoredPatientEvent } from './evolve';
import {
  activeAdverseEvents,
  activeDoses,
  activeLabs,
  adverseEventsInClinicalOrder,
  dosesInClinicalOrder,
  initialPatientState,
  labsInClinicalOrder,
  type PatientState,
  type RecordedEntry,
} from './patient-state';
import { replayPatient } from './replay';

/**
 * The fold shares records between states and grades every result in one pass (record-journal.ts,
 * labBaselines): these properties hold it to the plain quadratic fold and grading it replaced
 * (testing/naive-patient.ts), on random histories with late results, ties, corrections and voids.
 */

// Few instants, some equal under different spellings, so that ties of clinical time are common.
const INSTANTS = [
  '2024-01-05T08:00:00.000Z',
  '2024-01-08T08:00:00Z',
  '2024-01-08T09:00:00+01:00',
  '2024-01-10T09:00:00.000Z',
  '2024-01-11T08:00:00.000Z',
  '2024-01-12T08:00:00.000Z',
  '2024-01-20T08:00:00.000Z',
  '2024-02-01T08:00:00.000Z',
];
const TESTS: LabTestCode[] = ['PLAT', 'WBC', 'LYM', 'ALT', 'AST', 'BILI', 'CREAT', 'HGB', 'CRP'];
const DISEASES: DiseaseCode[] = ['RA', 'AIH', 'SLE', 'GPA'];

const instant = fc.constantFrom(...INSTANTS);
const labData: fc.Arbitrary<LabResultRecordedData> = fc
  .record({
    test: fc.constantFrom(...TESTS),
    value: fc.oneof(fc.constantFrom(0, 0.5, 1, 2, 3.5, 40, 79.9, 80, 100, 150, 250), fc.double({ min: 0, max: 600, noNaN: true })),
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
  .record({ dose: fc.constantFrom(1, 2), route: fc.constantFrom('SC', 'IV'), administeredAt: instant })
  .map((d) => ({ patientId: 'P-1', unit: 'MIU', ...d }));
const aeData: fc.Arbitrary<AdverseEventReportedData> = fc
  .record({ grade: fc.integer({ min: 1, max: 3 }), onsetAt: instant })
  .map((d) => ({ patientId: 'P-1', term: 'fever', serious: false, ...d }));

type Kind = 'labs' | 'doses' | 'adverseEvents';
type Step =
  | { op: 'enrol'; disease: DiseaseCode; sex: 'F' | 'M'; birthYear: number; weightKg: number }
  | { op: 'lab'; data: LabResultRecordedData }
  | { op: 'dose'; data: DoseAdministeredData }
  | { op: 'ae'; data: AdverseEventReportedData }
  | { op: 'correct'; kind: Kind; pick: number; lab: LabResultRecordedData; dose: DoseAdministeredData; ae: AdverseEventReportedData }
  | { op: 'void'; kind: Kind; pick: number };

const kind = fc.constantFrom<Kind>('labs', 'labs', 'doses', 'adverseEvents');
const step: fc.Arbitrary<Step> = fc.oneof(
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
);
const steps = (max: number) => fc.array(step, { maxLength: max });

/** Writes steps as the events of a stream, naming records that exist (a correction of nothing is skipped). */
class StreamWriter {
  private readonly ids: Record<Kind, string[]>;

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
      return [{ eventId, event }];
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
      case 'correct':
      case 'void': {
        const ids = this.ids[s.kind];
        if (ids.length === 0) return null;
        const originalEventId = ids[s.pick % ids.length];
        const base = { patientId: 'P-1', originalEventId, reason: 'why', oldValues: {} as never };
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

const envelopes = (events: readonly StoredPatientEvent[]) =>
  events.map(({ eventId, event }) => ({ eventId, type: event.type, schemaVersion: event.version, data: event.data }));

/** Each evolved state, with its JSON when it was handed out: later folding must never change it. */
function evolveAll(from: PatientState, events: readonly StoredPatientEvent[]): { state: PatientState; json: string }[] {
  const states = [{ state: from, json: JSON.stringify(from) }];
  for (const stored of events) {
    const state = evolve(states[states.length - 1].state, stored);
    states.push({ state, json: JSON.stringify(state) });
  }
  return states;
}

function expectSameGrades(fast: PatientState, naive: PatientState, foreign: LabResultRecordedData): void {
  const batch = assessLabResults(fast);
  const baselines = labBaselines(fast);
  const expectedIds = Object.values(naive.labs)
    .filter((e) => !e.voided)
    .map((e) => e.eventId);
  expect([...batch.keys()].sort()).toEqual(expectedIds.sort());
  for (const entry of Object.values(naive.labs)) {
    const asRecorded = { eventId: entry.eventId, data: entry.current };
    const asFirstRecorded = { eventId: entry.eventId, data: entry.original };
    for (const lab of [asRecorded, asFirstRecorded]) {
      const expected = naiveBaselineFor(naive, lab);
      expect(baselineFor(fast, lab)).toStrictEqual(expected);
      expect(baselines.for(lab)).toStrictEqual(expected);
      expect(assessLabResult(fast, lab)).toStrictEqual(naiveAssessLabResult(naive, lab));
    }
    if (!entry.voided) expect(batch.get(entry.eventId)).toStrictEqual(naiveAssessLabResult(naive, asRecorded));
  }
  const stranger = { eventId: 'not-in-the-stream', data: foreign };
  expect(baselineFor(fast, stranger)).toStrictEqual(naiveBaselineFor(naive, stranger));
  expect(baselines.for(stranger)).toStrictEqual(naiveBaselineFor(naive, stranger));
}

function expectSameRecords(fast: PatientState, naive: PatientState): void {
  expect(JSON.stringify(fast)).toBe(JSON.stringify(naive));
  expect(fast).toStrictEqual(naive);
  expect(activeLabs(fast)).toStrictEqual(naiveActiveLabs(naive));
  expect(activeDoses(fast)).toStrictEqual(naiveActiveDoses(naive));
  expect(activeAdverseEvents(fast)).toStrictEqual(naiveActiveAdverseEvents(naive));
  expect(labsInClinicalOrder(fast)).toStrictEqual(naiveInClinicalOrder(naive.labs, (l) => l.collectedAt));
  expect(dosesInClinicalOrder(fast)).toStrictEqual(naiveInClinicalOrder(naive.doses, (d) => d.administeredAt));
  expect(adverseEventsInClinicalOrder(fast)).toStrictEqual(naiveInClinicalOrder(naive.adverseEvents, (a) => a.onsetAt));
}

/** As the replay listed records before: every one, voided too, sorted by Date.parse at each comparison. */
const naiveInClinicalOrder = <D>(records: Readonly<Record<string, RecordedEntry<D>>>, at: (d: D) => string) =>
  Object.values(records).sort((a, b) => Date.parse(at(a.current)) - Date.parse(at(b.current)) || a.recordedSeq - b.recordedSeq);

describe('the fast fold and grades equal the naive ones', () => {
  it('replayPatient folds any history, with corrections and voids, to the naive fold of it, and grades every result alike', () => {
    fc.assert(
      fc.property(steps(60), labData, (history, foreign) => {
        const events = new StreamWriter().write(history);
        const naive = naiveReplay(events);
        const fast = replayPatient(envelopes(events));
        expectSameRecords(fast, naive);
        expectSameGrades(fast, naive, foreign);
      }),
      { numRuns: 300 },
    );
  });

  it('evolve gives the naive state at every step, and never changes a state it handed out, even when an older one is evolved again', () => {
    fc.assert(
      fc.property(steps(40), steps(10), fc.nat(), steps(5), labData, (history, otherHistory, at, more, foreign) => {
        const writer = new StreamWriter();
        const events = writer.write(history);
        const lineage = evolveAll(initialPatientState, events);
        events.forEach((_, i) => expectSameRecords(lineage[i + 1].state, naiveReplay(events.slice(0, i + 1))));

        // A caller kept an older state and evolves it with other events (the API's cache falling back to it).
        const k = at % lineage.length;
        const prefix = events.slice(0, k);
        const otherEvents = new StreamWriter(k, idsOf(naiveReplay(prefix))).write(otherHistory, 'b');
        const branch = evolveAll(lineage[k].state, otherEvents);
        expectSameRecords(branch[branch.length - 1].state, naiveReplay([...prefix, ...otherEvents]));
        expectSameGrades(branch[branch.length - 1].state, naiveReplay([...prefix, ...otherEvents]), foreign);

        // The first line goes on, from its newest state.
        const moreEvents = writer.copy().write(more, 'c');
        const onward = evolveAll(lineage[lineage.length - 1].state, moreEvents);
        expectSameRecords(onward[onward.length - 1].state, naiveReplay([...events, ...moreEvents]));
        expectSameGrades(lineage[k].state, naiveReplay(prefix), foreign);

        for (const { state, json } of [...lineage, ...branch, ...onward]) expect(JSON.stringify(state)).toBe(json);
      }),
      { numRuns: 200 },
    );
  });

  it('baselineFor follows a line of states step by step (its index moves on with the line) as the naive one, older states too', () => {
    fc.assert(
      fc.property(steps(60), fc.nat(), labData, (history, at, foreign) => {
        const events = new StreamWriter().write(history);
        const lineage = evolveAll(initialPatientState, events);
        const expectSameBaselines = (fast: PatientState, naive: PatientState) => {
          for (const entry of Object.values(naive.labs)) {
            for (const lab of [
              { eventId: entry.eventId, data: entry.current },
              { eventId: entry.eventId, data: entry.original },
            ]) {
              expect(baselineFor(fast, lab)).toStrictEqual(naiveBaselineFor(naive, lab));
            }
          }
          const stranger = { eventId: 'not-in-the-stream', data: foreign };
          expect(baselineFor(fast, stranger)).toStrictEqual(naiveBaselineFor(naive, stranger));
        };
        events.forEach((_, i) => expectSameBaselines(lineage[i + 1].state, naiveReplay(events.slice(0, i + 1))));
        const k = at % lineage.length; // an older state, asked after the newest
        expectSameBaselines(lineage[k].state, naiveReplay(events.slice(0, k)));
      }),
      { numRuns: 300 },
    );
  });

  it('a state read back from JSON (the safety process keeps it so) evolves and replays on as the naive fold', () => {
    fc.assert(
      fc.property(steps(30), steps(15), (before, after) => {
        const writer = new StreamWriter();
        const first = writer.write(before);
        const saved = JSON.parse(JSON.stringify(replayPatient(envelopes(first)))) as PatientState;
        const rest = writer.write(after);
        const expected = naiveReplay(rest, naiveReplay(first));
        expectSameRecords(rest.reduce(evolve, saved), expected);
        expectSameRecords(replayPatient(envelopes(rest), saved), expected);
      }),
      { numRuns: 150 },
    );
  });

  it('decide finds (or misses) the record a void names, and places a dose in the schedule, as on the naive state', () => {
    const now = new Date('2024-06-01T12:00:00Z');
    const outcome = (state: PatientState, command: PatientCommand) => {
      try {
        return decide(command, state, { now });
      } catch (error) {
        return { error: (error as Error).constructor.name, message: (error as Error).message };
      }
    };
    fc.assert(
      fc.property(steps(40), fc.nat(), (history, pick) => {
        const events = new StreamWriter().write([{ op: 'enrol', disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 60 }, ...history]);
        const naive = naiveReplay(events);
        const fast = replayPatient(envelopes(events));
        for (const [type, records] of [
          ['VoidLabResult', naive.labs],
          ['VoidDose', naive.doses],
          ['VoidAdverseEvent', naive.adverseEvents],
        ] as const) {
          const ids = Object.keys(records);
          for (const eventId of [ids[pick % Math.max(1, ids.length)] ?? 'none', 'missing', 'toString', '__proto__']) {
            const command = { type, eventId, reason: 'entered on the wrong patient' } as PatientCommand;
            expect(outcome(fast, command)).toStrictEqual(outcome(naive, command));
          }
        }
        for (const dose of naiveActiveDoses(naive)) {
          const given = { eventId: dose.eventId, data: dose.current };
          expect(assessDose(fast, given)).toStrictEqual(assessDose(naive, given));
        }
      }),
      { numRuns: 100 },
    );
  });
});

function idsOf(state: PatientState): Record<Kind, string[]> {
  return { labs: Object.keys(state.labs), doses: Object.keys(state.doses), adverseEvents: Object.keys(state.adverseEvents) };
}
