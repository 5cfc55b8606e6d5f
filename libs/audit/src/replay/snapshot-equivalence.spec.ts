import fc from 'fast-check';
import { PatientChart, safetyFactsOf } from '@vigil/domain';
import { PATIENT, pointInTime, step, trial } from '../testing/random-trial';
import { foldPatientAt, type PatientFoldSnapshot } from './fold-patient-at';
import { replayPatientAt, fullViewOf } from './replay-patient-at';
import { stateSummaryOf } from './state-summary';

/**
 * A replay that goes on from a snapshot must answer exactly as one that folds the whole stream: the
 * snapshot taken by an earlier replay (of the stream as it was then, at any point in time), then a
 * replay of the stream grown since, at any other point in time. Snapshots are a speed-up, never a
 * second source of truth.
 */
const NOW = new Date('2026-03-01T00:00:00.000Z');
const every = fc.integer({ min: 1, max: 6 });
const withoutDerived = ({ derived: _derived, ...snapshot }: PatientFoldSnapshot) => snapshot;

describe('replays going on from a snapshot answer as replays of the whole stream', () => {
  it('at any point in time, after a snapshot taken at any other, of the stream as it was or as it is', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }).chain((steps) => {
          const { stream, alertEvents } = trial(steps);
          return fc.tuple(
            fc.constant(stream),
            fc.constant(alertEvents),
            fc.integer({ min: 1, max: stream.length }),
            pointInTime(stream.length),
            pointInTime(stream.length),
            every,
          );
        }),
        ([stream, alertEvents, seenThen, firstPit, pit, n]) => {
          // The earlier replay saw the stream up to `seenThen` events; its point in time may not reach past that.
          const earlier = stream.slice(0, seenThen);
          const earlierPit = firstPit.atVersion !== undefined && firstPit.atVersion > seenThen ? { ...firstPit, atVersion: seenThen } : firstPit;
          const taken = foldPatientAt(PATIENT, earlier, alertEvents, earlierPit, { every: n }).taken;

          const resumed = foldPatientAt(PATIENT, stream, alertEvents, pit, { from: taken, every: n });
          const whole = foldPatientAt(PATIENT, stream, alertEvents, pit);
          expect(fullViewOf(resumed)).toStrictEqual(replayPatientAt(PATIENT, stream, alertEvents, pit));
          const summary = stateSummaryOf(resumed, { now: NOW, page: { limit: 500 } });
          expect(summary).toStrictEqual(stateSummaryOf(whole, { now: NOW, page: { limit: 500 } }));
          // Its safety part is the domain's safety facts of the whole fold, reckoned at the same moment.
          const facts = safetyFactsOf(whole.state, PatientChart.of(whole.state), new Date(summary.reckonedAt));
          expect({ treatment: summary.treatment, labs: summary.labs, adverseEvents: summary.adverseEvents }).toStrictEqual({
            treatment: facts.treatment,
            labs: facts.labs,
            adverseEvents: facts.adverseEvents,
          });
          expect(summary.doses).toStrictEqual({ recorded: summary.doses.recorded, voided: summary.doses.voided, ...facts.doses });
          // A snapshot taken on the way is one a fold from scratch would take.
          if (resumed.taken) {
            const fresh = foldPatientAt(PATIENT, stream, alertEvents, pit, { every: n }).taken;
            expect(withoutDerived(resumed.taken)).toStrictEqual(fresh);
          }
          // Going on from the head of the stream (what memory keeps after a replay) answers the same again.
          if (resumed.head) {
            const again = foldPatientAt(PATIENT, stream, alertEvents, pit, { from: resumed.head, every: n });
            expect(again.eventsFolded).toBe(resumed.eventsFolded);
            expect(fullViewOf(again)).toStrictEqual(replayPatientAt(PATIENT, stream, alertEvents, pit));
            expect(stateSummaryOf(again, { now: NOW, page: { limit: 500 } })).toStrictEqual(stateSummaryOf(whole, { now: NOW, page: { limit: 500 } }));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('takes a snapshot only where every event before it stands, at the last multiple of N', () => {
    const { stream, alertEvents } = trial([
      { op: 'lab', test: 'PLAT', value: 250, collected: 1, late: 0 },
      { op: 'lab', test: 'PLAT', value: 70, collected: 2, late: 0 },
      { op: 'dose', given: 3 },
      { op: 'lab', test: 'ALT', value: 30, collected: 4, late: 0 },
      { op: 'lab', test: 'PLAT', value: 150, collected: 5, late: 0 },
    ]);
    expect(stream).toHaveLength(6);
    const all = foldPatientAt(PATIENT, stream, alertEvents, {}, { every: 2 });
    expect(all.taken).toMatchObject({ version: 6, hash: stream[5].hash, eventsFolded: 6, lastFolded: 6 });
    expect(foldPatientAt(PATIENT, stream, alertEvents, { atVersion: 5 }, { every: 2 }).taken?.version).toBe(4);
    // An asOf before the last result was collected leaves it out: no snapshot can cover it.
    expect(foldPatientAt(PATIENT, stream, alertEvents, { asOf: stream[4].metadata.occurredAt }, { every: 2 }).taken).toBeUndefined();
  });

  it('ignores a snapshot whose hash the stream no longer has (the log is the truth)', () => {
    const a = trial([
      { op: 'lab', test: 'PLAT', value: 250, collected: 1, late: 0 },
      { op: 'lab', test: 'PLAT', value: 70, collected: 2, late: 0 },
      { op: 'lab', test: 'PLAT', value: 300, collected: 3, late: 0 },
    ]);
    const b = trial([
      { op: 'lab', test: 'PLAT', value: 250, collected: 1, late: 0 },
      { op: 'lab', test: 'PLAT', value: 60, collected: 2, late: 0 },
      { op: 'lab', test: 'PLAT', value: 300, collected: 3, late: 0 },
    ]);
    const snapshotOfA = foldPatientAt(PATIENT, a.stream, [], {}, { every: 2 }).taken;
    expect(snapshotOfA?.version).toBe(4);
    const onB = foldPatientAt(PATIENT, b.stream, [], {}, { from: snapshotOfA });
    expect(fullViewOf(onB).labs.map((lab) => lab.current.value)).toEqual([250, 60, 300]);
    expect(fullViewOf(onB)).toStrictEqual(replayPatientAt(PATIENT, b.stream, [], {}));
  });
});
