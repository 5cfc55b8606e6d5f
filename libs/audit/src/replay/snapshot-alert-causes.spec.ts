import fc from 'fast-check';
import { at, PATIENT, pointInTime, step, trial } from '../testing/random-trial';
import { foldPatientAt } from './fold-patient-at';
import { fullViewOf, replayPatientAt } from './replay-patient-at';

/**
 * A snapshot keeps which of the alerts' causes its prefix holds (so a replay does not read that prefix
 * again): a snapshot kept in memory and gone on from again, while alerts are raised or retracted, must
 * answer as a replay of the whole stream with the alerts as they are at each replay.
 */
describe('a snapshot gone on from again and again, while the alerts change', () => {
  it('answers each time as a replay of the whole stream with the alerts of that moment', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 30 }).chain((steps) => {
          const { stream, alertEvents } = trial(steps);
          return fc.tuple(
            fc.constant(stream),
            fc.constant(alertEvents),
            fc.array(fc.integer({ min: 0, max: alertEvents.length }), { minLength: 1, maxLength: 4 }),
            pointInTime(stream.length),
          );
        }),
        ([stream, alertEvents, seen, pit]) => {
          const head = foldPatientAt(PATIENT, stream, [], {}).head;
          // The alerts as they stood at successive replays: a prefix of their events, growing or not.
          for (const count of [...seen, alertEvents.length, 0, alertEvents.length]) {
            const alerts = alertEvents.slice(0, count);
            const resumed = foldPatientAt(PATIENT, stream, alerts, pit, { from: head });
            expect(fullViewOf(resumed)).toStrictEqual(replayPatientAt(PATIENT, stream, alerts, pit));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shows an alert raised later on a result the snapshot holds, though the alert came after the point in time', () => {
    const { stream, alertEvents } = trial([
      { op: 'lab', test: 'PLAT', value: 70, collected: 0, late: 0 },
      { op: 'alert', pick: 0, acknowledged: false, retracted: false, foreign: false },
      { op: 'lab', test: 'PLAT', value: 70, collected: 1, late: 0 },
      { op: 'alert', pick: 1, acknowledged: false, retracted: false, foreign: false },
    ]);
    const [first, second] = [alertEvents.filter((e) => e.streamId === alertEvents[0].streamId), alertEvents];
    const head = foldPatientAt(PATIENT, stream, [], {}).head;
    // Clinically at 1.5 days: both results stand; the second alert was raised at 1.8 days, on the second result.
    const pit = { asOf: at(1.5) };
    expect(foldPatientAt(PATIENT, stream, first, pit, { from: head }).alerts.map((a) => a.triggeredBy)).toEqual(['ev-0']);
    const resumed = foldPatientAt(PATIENT, stream, second, pit, { from: head });
    expect(resumed.alerts.map((a) => a.triggeredBy)).toEqual(['ev-0', 'ev-2']);
    expect(fullViewOf(resumed)).toStrictEqual(replayPatientAt(PATIENT, stream, second, pit));
  });
});
