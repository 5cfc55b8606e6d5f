import fc from 'fast-check';
import { DomainError, type PatientCommand } from '@vigil/domain';
import { createSqliteEventStore, EventStore, StoredEvent } from '@vigil/event-store';
import { AlertList } from '../alerts/alert-list';
import { AlertStreams } from '../alerts/alert-streams';
import { Projector } from '../projector';
import { ReadModelDatabase } from '../read-model-database';
import { ReadModelProgress } from '../read-model-progress';
import { SAFETY_READ_MODELS } from '../read-models.module';
import { rebuildProjections } from '../rebuild-projections';
import { PatientLog } from '../testing/patient-log';
import { PatientSafetySummaries } from './patient-safety-summaries';
import { safetyProjections } from './safety-projections';

const PATIENTS = ['P-1', 'P-2'];
const DISEASES = ['RA', 'AIH', 'SLE'] as const;
const AS_OF = new Date('2026-03-01T00:00:00Z');
const day = (n: number) => new Date(Date.parse('2026-01-06T09:00:00Z') + n * 86_400_000).toISOString();

/** Lab tests with values on both sides of their TRANSREG thresholds (docs/safety-rules.md §1). */
const labValue = fc.oneof(
  fc.record({ test: fc.constant('PLAT'), value: fc.integer({ min: 5, max: 300 }), unit: fc.constant('10*9/L') }),
  fc.record({ test: fc.constant('WBC'), value: fc.integer({ min: 5, max: 100 }).map((v) => v / 10), unit: fc.constant('10*9/L') }),
  fc.record({ test: fc.constant('ALT'), value: fc.integer({ min: 10, max: 400 }), unit: fc.constant('U/L'), referenceRange: fc.constant({ high: 40 }) }),
  fc.record({ test: fc.constant('CREAT'), value: fc.integer({ min: 40, max: 300 }), unit: fc.constant('umol/L') }),
);

/** What a user does; `pick` chooses among the patient's records when the step acts on one. */
type Step =
  | { kind: 'lab'; patient: number; lab: { test: string; value: number; unit: string; referenceRange?: { high: number } }; day: number }
  | { kind: 'dose'; patient: number; dose: number; route: string; day: number }
  | { kind: 'ae'; patient: number; serious: boolean; grade: number; day: number }
  | { kind: 'correct-lab'; patient: number; pick: number; value: number }
  | { kind: 'correct-dose'; patient: number; pick: number; dose: number; day: number }
  | { kind: 'correct-ae'; patient: number; pick: number; serious: boolean }
  | { kind: 'void'; patient: number; pick: number; record: 'lab' | 'dose' | 'ae' };

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
  }
}

/** What a user sees of the read models: every alert, and each patient's safety summary (at a fixed time). */
function seen(db: ReadModelDatabase) {
  const alerts = new AlertList(db);
  const summaries = new PatientSafetySummaries(db, alerts);
  return { alerts: alerts.find({ limit: 500 }).items, summaries: PATIENTS.map((id) => summaries.get(id, AS_OF)) };
}

async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for await (const batch of store.readAll()) events.push(...batch);
  return events;
}

describe('Rebuilt safety read models (fast-check)', () => {
  it('equal the ones built live event by event, for any history of records, corrections and voids, and append no alert event', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.constantFrom(...DISEASES), fc.constantFrom(...DISEASES)),
        fc.array(step, { minLength: 5, maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 50 }),
        async (diseases, steps, rebuildBatchSize) => {
          const store = await createSqliteEventStore({ file: ':memory:' });
          const db = new ReadModelDatabase({ file: ':memory:' });
          const projector = new Projector(store, db, safetyProjections(new AlertStreams(store)), { batchSize: 1, retryDelayMs: 5 });
          const progress = new ReadModelProgress(store, db, SAFETY_READ_MODELS);
          try {
            await projector.start();
            const log = new PatientLog(store, () => new Date('2026-03-01T00:00:00Z'));
            const records = new Records();
            for (const [i, id] of PATIENTS.entries()) await log.enrol(id, diseases[i]);
            for (const s of steps) {
              const patientId = PATIENTS[s.patient];
              const planned = commandOf(s, records, patientId);
              if (!planned) continue;
              try {
                const [event] = await log.run(patientId, planned.command);
                if (planned.records) records.add(patientId, planned.records, event.eventId);
              } catch (error) {
                if (!(error instanceof DomainError)) throw error; // a command the decider refuses records nothing
              }
              await progress.waitForPosition(await store.headPosition()); // live: one event at a time
            }
            // Every step may have been skipped (no record to correct yet): the enrolments must be in too.
            await progress.waitForPosition(await store.headPosition());
            const live = seen(db);
            const logBefore = await allEvents(store);

            await rebuildProjections({ store, db, batchSize: rebuildBatchSize });
            await progress.waitForPosition(await store.headPosition());

            expect(seen(db)).toEqual(live);
            expect(await allEvents(store)).toEqual(logBefore);
          } finally {
            await projector.stop();
            db.close();
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
