import fc from 'fast-check';
import { naiveReplayPatientAt } from '../testing/naive-replay';
import { PATIENT, pointInTime, step, trial } from '../testing/random-trial';
import { replayPatientAt } from './replay-patient-at';

/**
 * The replay grades every result in one pass, reads only the times its bounds need and lists records
 * in one sort per kind: it must answer exactly as the plain replay it replaced (testing/naive-replay.ts)
 * on random streams with late results, corrections, voids and alerts, at random points in time.
 */
describe('replayPatientAt answers as the plain replay it replaced', () => {
  it('at any point in time of any stream: labs with grades and rule hits, doses, alerts, versions', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }).chain((steps) => {
          const { stream, alertEvents } = trial(steps);
          return fc.tuple(fc.constant(stream), fc.constant(alertEvents), pointInTime(stream.length));
        }),
        ([stream, alertEvents, pit]) => {
          expect(replayPatientAt(PATIENT, stream, alertEvents, pit)).toStrictEqual(naiveReplayPatientAt(PATIENT, stream, alertEvents, pit));
        },
      ),
      { numRuns: 150 },
    );
  });
});
