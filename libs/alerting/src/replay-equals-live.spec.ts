import fc from 'fast-check';
import { DomainError, type PatientCommand } from '@vigil/domain';
import { createSqliteEventStore, EventStore, StoredEvent } from '@vigil/event-store';
import { AlertList, PatientOverviews, ReadModelDatabase, rebuildProjections } from '@vigil/projections';
import { PatientLog } from '@vigil/projections/testing';
import { Monitor } from './testing/monitor';

const PATIENTS = ['P-1', 'P-2'];
const DISEASES = ['RA', 'AIH', 'SLE'] as const;
const START = Date.parse('2026-01-06T09:00:00Z');
const day = (n: number) => new Date(START + n * 86_400_000).toISOString();

/** Lab tests with values on both sides of their thresholds and grades (docs/safety-rules.md §1, §2), liver tests for Hy's law. */
const labValue = fc.oneof(
  fc.record({ test: fc.constant('PLAT'), value: fc.integer({ min: 5, max: 300 }), unit: fc.constant('10*9/L') }),
  fc.record({ test: fc.constant('WBC'), value: fc.integer({ min: 5, max: 100 }).map((v) => v / 10), unit: fc.constant('G/L') }),
  fc.record({ test: fc.constant('NEUT'), value: fc.integer({ min: 2, max: 40 }).map((v) => v / 10), unit: fc.constant('10*9/L') }),
  fc.record({ test: fc.constant('ALT'), value: fc.integer({ min: 10, max: 1000 }), unit: fc.constant('U/L'), referenceRange: fc.constant({ high: 40 }) }),
  fc.record({ test: fc.constant('BILI'), value: fc.integer({ min: 5, max: 90 }), unit: fc.constant('umol/L'), referenceRange: fc.constant({ high: 20 }) }),
  fc.record({ test: fc.constant('ALP'), value: fc.integer({ min: 50, max: 400 }), unit: fc.constant('U/L'), referenceRange: fc.constant({ high: 120 }) }),
  fc.record({ test: fc.constant('CREAT'), value: fc.integer({ min: 40, max: 600 }), unit: fc.constant('umol/L') }),
  fc.record({ test: fc.constant('718-7'), value: fc.integer({ min: 60, max: 150 }), unit: fc.constant('g/L') }),
);

/** What a user does; `pick` chooses among the patient's records when the step acts on one. */
type Step =
  | { kind: 'lab'; patient: number; lab: { test: string; value: number; unit: string; referenceRange?: { high: number } }; day: number }
  | { kind: 'dose'; patient: number; dose: number; route: string; day: number }
  | { kind: 'ae'; patient: number; serious: boolean; grade: number; day: number }
  | { kind: 'correct-lab'; patient: number; pick: number; value: number }
  | { kind: 'correct-dose'; patient: number; pick: number; dose: number; day: number }
  | { kind: 'correct-ae'; patient: number; pick: number; serious: boolean }
  | { kind: 'void'; patient: number; pick: number; record: 'lab' | 'dose' | 'ae' }
  | { kind: 'sponsor-report' | 'regulatory-report'; patient: number; pick: number }
  | { kind: 'assess'; patient: number; pick: number; expected: boolean; causality: 'unlikely' | 'possible' | 'definite' }
  | { kind: 'status'; patient: number; status: 'suspended' | 'discontinued' | 'on-treatment'; day: number }
  | { kind: 'acknowledge'; patient: number }
  | { kind: 'timer'; patient: number }
  | { kind: 'wait'; patient: number; days: number };

const patient = fc.integer({ min: 0, max: PATIENTS.length - 1 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('lab' as const), patient, lab: labValue, day: fc.integer({ min: -3, max: 40 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('dose' as const),
      patient,
      dose: fc.constantFrom(1, 1, 2),
      route: fc.constantFrom('SC', 'SC', 'IV'),
      day: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('ae' as const),
      patient,
      serious: fc.boolean(),
      grade: fc.integer({ min: 1, max: 4 }),
      day: fc.integer({ min: 0, max: 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('sponsor-report' as const, 'regulatory-report' as const), patient, pick: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('assess' as const),
      patient,
      pick: fc.nat(),
      expected: fc.boolean(),
      causality: fc.constantFrom('unlikely' as const, 'possible' as const, 'definite' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      patient,
      status: fc.constantFrom('suspended' as const, 'discontinued' as const, 'on-treatment' as const),
      day: fc.integer({ min: 0, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('acknowledge' as const), patient }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('timer' as const), patient }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('wait' as const), patient, days: fc.integer({ min: 1, max: 10 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('correct-lab' as const), patient, pick: fc.nat(), value: fc.integer({ min: 1, max: 300 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('correct-dose' as const),
      patient,
      pick: fc.nat(),
      dose: fc.constantFrom(1, 2),
      day: fc.integer({ min: 0, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('correct-ae' as const), patient, pick: fc.nat(), serious: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('void' as const),
      patient,
      pick: fc.nat(),
      record: fc.constantFrom('lab' as const, 'dose' as const, 'ae' as const),
    }),
  },
);

/** Records of each kind per patient, by stored event id, to aim corrections and voids at. */
class Records {
  private readonly ids = new Map<string, string[]>();
  add(patientId: string, kind: string, eventId: string): void {
    const key = `${patientId}/${kind}`;
    this.ids.set(key, [...(this.ids.get(key) ?? []), eventId]);
  }
  pick(patientId: string, kind: string, n: number): string | undefined {
    const ids = this.ids.get(`${patientId}/${kind}`) ?? [];
    return ids.length === 0 ? undefined : ids[n % ids.length];
  }
}

function commandOf(s: Step, records: Records, patientId: string): { command: PatientCommand; records?: string } | undefined {
  switch (s.kind) {
    case 'lab':
      return { command: { type: 'RecordLabResult', ...s.lab, collectedAt: day(s.day) }, records: 'lab' };
    case 'dose':
      return { command: { type: 'RecordDose', dose: s.dose, unit: 'MIU', route: s.route, administeredAt: day(s.day) }, records: 'dose' };
    case 'ae':
      return {
        command: {
          type: 'ReportAdverseEvent',
          term: 'Pneumonia',
          onsetAt: day(s.day),
          grade: s.grade,
          serious: s.serious,
          ...(s.serious ? { seriousnessCriteria: ['hospitalisation' as const] } : {}),
        },
        records: 'ae',
      };
    case 'correct-lab': {
      const eventId = records.pick(patientId, 'lab', s.pick);
      return eventId === undefined ? undefined : { command: { type: 'CorrectLabResult', eventId, changes: { value: s.value }, reason: 'recount' } };
    }
    case 'correct-dose': {
      const eventId = records.pick(patientId, 'dose', s.pick);
      return eventId === undefined
        ? undefined
        : { command: { type: 'CorrectDose', eventId, changes: { dose: s.dose, administeredAt: day(s.day) }, reason: 'transcription' } };
    }
    case 'correct-ae': {
      const eventId = records.pick(patientId, 'ae', s.pick);
      const changes = s.serious ? { serious: true, seriousnessCriteria: ['hospitalisation' as const] } : { serious: false, seriousnessCriteria: null };
      return eventId === undefined ? undefined : { command: { type: 'CorrectAdverseEvent', eventId, changes, reason: 'reassessed' } };
    }
    case 'void': {
      const eventId = records.pick(patientId, s.record, s.pick);
      const type = ({ lab: 'VoidLabResult', dose: 'VoidDose', ae: 'VoidAdverseEvent' } as const)[s.record];
      return eventId === undefined ? undefined : { command: { type, eventId, reason: 'entered in error' } };
    }
    case 'sponsor-report':
    case 'regulatory-report': {
      const adverseEventId = records.pick(patientId, 'ae', s.pick);
      const type = s.kind === 'sponsor-report' ? 'RecordSponsorReport' : 'RecordRegulatoryReport';
      return adverseEventId === undefined ? undefined : { command: { type, adverseEventId, reportedAt: clock.toISOString() } };
    }
    case 'assess': {
      const adverseEventId = records.pick(patientId, 'ae', s.pick);
      return adverseEventId === undefined
        ? undefined
        : { command: { type: 'AssessAdverseEvent', adverseEventId, expected: s.expected, causality: s.causality } };
    }
    case 'status':
      return { command: { type: 'ChangeTreatmentStatus', status: s.status, effectiveAt: day(s.day), reason: 'investigator decision' } };
    default:
      return undefined;
  }
}

/** The clock of the story: steps are recorded then, and it moves on (the rules judge at recording times). */
let clock = new Date(START);

/** What a user sees of the read models: every alert, and the patients' overview. */
async function seen(db: ReadModelDatabase) {
  return { alerts: (await new AlertList(db).find({ limit: 500 })).items, patients: await new PatientOverviews(db).list() };
}

/** What the alerting reactor keeps per patient: its standing alerts (not when its timer looks next: that follows the wall clock). */
const standingOf = (db: ReadModelDatabase) => db.read((sql) => sql.all(`SELECT patient_id, standing, version FROM alerting_patients ORDER BY patient_id`));

async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of store.readAll()) events.push(...batch);
  return events;
}

describe('Replaying the alerting and rebuilding the read models (fast-check)', () => {
  it('end with the live run’s alerts and append nothing, for any history of records, corrections, voids, reports, assessments and statuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.constantFrom(...DISEASES), fc.constantFrom(...DISEASES)),
        fc.array(step, { minLength: 5, maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 50 }),
        async (diseases, steps, batchSize) => {
          const store = await createSqliteEventStore({ file: ':memory:' });
          clock = new Date(START + 3_600_000);
          const live = new Monitor(store, { batchSize: 1, clock: () => clock });
          let replay: Monitor | undefined;
          try {
            await live.start();
            const log = new PatientLog(store, () => clock);
            const records = new Records();
            for (const [i, id] of PATIENTS.entries()) await log.enrol(id, diseases[i], { enrolledAt: day(-1) });
            for (const s of steps) {
              const patientId = PATIENTS[s.patient];
              clock = new Date(clock.getTime() + 3_600_000);
              if (s.kind === 'wait') clock = new Date(clock.getTime() + s.days * 86_400_000);
              if (s.kind === 'timer') await live.reactor.checkSchedules(clock);
              if (s.kind === 'acknowledge') {
                for (const alert of (await live.list.find({ patientId, status: 'open' })).items) {
                  await live.streams.decide(
                    { type: 'AcknowledgeAlert', alertId: alert.alertId, by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: clock.toISOString() },
                    { userId: 'so-1', role: 'safety_officer', siteId: alert.siteId, occurredAt: clock.toISOString(), causationId: null },
                  );
                }
              }
              const planned = commandOf(s, records, patientId);
              if (planned) {
                try {
                  const [event] = await log.run(patientId, planned.command);
                  if (planned.records) records.add(patientId, planned.records, event.eventId);
                } catch (error) {
                  if (!(error instanceof DomainError)) throw error; // a command the decider refuses records nothing
                }
              }
              await live.caughtUp(); // live: one event at a time
            }
            await live.caughtUp();
            const liveSeen = await seen(live.db);
            const liveStanding = await standingOf(live.db);
            const logBefore = await allEvents(store);

            // The alerting replayed from the start of the log, in batches of any size, at a later wall clock.
            clock = new Date(clock.getTime() + 86_400_000);
            replay = await new Monitor(store, { batchSize, clock: () => clock }).start();
            await replay.caughtUp();
            expect(await allEvents(store)).toEqual(logBefore);
            expect(await standingOf(replay.db)).toEqual(liveStanding);
            expect(await seen(replay.db)).toEqual(liveSeen);

            // The read models rebuilt beside the live ones.
            await rebuildProjections({ store, db: live.db, batchSize });
            expect(await seen(live.db)).toEqual(liveSeen);
            expect(await allEvents(store)).toEqual(logBefore);
          } finally {
            await replay?.stop();
            await live.stop();
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 180_000);
});
