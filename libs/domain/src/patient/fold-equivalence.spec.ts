import fc from 'fast-check';
import { reconcile, standingKey, type StandingAlerts } from '../alerts/reconcile';
import { judgeEvent, judgePatient, LAB_RULES } from '../safety/judge';
import { expectedLabAlerts } from '../testing/lab-rules-oracle';
import { envelopes, INSTANTS, steps, StreamWriter } from '../testing/patient-histories';
import { evolve, type StoredPatientEvent } from './evolve';
import { PatientChart } from './patient-chart';
import { PatientFold, replayPatient } from './patient-fold';
import { initialPatientState, type PatientState } from './patient-state';

/**
 * The one fold of a patient's stream (PatientFold, in place) and the reducer it runs (evolve) give the same
 * states; the chart a reactor keeps in step gives the orders a fresh chart gives; and judging event by event,
 * reconciling as the alerting reactor does, ends with exactly the alerts a judgement of the whole patient
 * calls for, whose lab part is what docs/safety-rules.md's tables say (testing/lab-rules-oracle.ts).
 */
const JUDGED_AT = INSTANTS[INSTANTS.length - 1];

const orders = (chart: PatientChart) => ({
  labs: ['PLAT', 'WBC', 'LYM', 'NEUT', 'ALT', 'AST', 'ALP', 'BILI', 'CREAT', 'HGB', 'CRP'].map((test) =>
    chart.labsOf(test as never).map((timed) => [timed.entry.eventId, timed.time]),
  ),
  doses: chart.activeDoses().map((timed) => [timed.entry.eventId, timed.time]),
});

/**
 * What each standing alert shows, by rule and subject. A closed alert (its report was made) stays closed
 * whatever becomes of its cause: only the others must match what the rules call for now.
 */
const shown = (standing: StandingAlerts) =>
  Object.fromEntries(
    Object.entries(standing)
      .filter(([, alert]) => alert.status !== 'closed')
      .map(([key, alert]) => [key, { grade: alert.figures.grade, severity: alert.figures.severity, value: alert.figures.value }]),
  );
const closedKeys = (standing: StandingAlerts) => Object.keys(standing).filter((key) => standing[key].status === 'closed');

function reconcileAll(events: readonly StoredPatientEvent[]): StandingAlerts {
  const fold = new PatientFold();
  const chart = PatientChart.of(fold.state);
  let standing: StandingAlerts = {};
  for (const stored of events) {
    const firstDoseBefore = chart.firstDose()?.time ?? null;
    fold.apply(stored);
    chart.observe(fold.state, stored);
    const judgement = judgeEvent(fold.state, chart, stored, { judgedAt: JUDGED_AT, firstDoseBefore });
    standing = reconcile(standing, judgement, { triggeredBy: stored.eventId, reason: 'why' }, { patientId: 'P-1', siteId: 'PSL' }, JUDGED_AT).standing;
  }
  return standing;
}

describe('the one fold of a patient stream', () => {
  it('folds any history in place to the state the reducer gives, and never changes a state it handed out', () => {
    fc.assert(
      fc.property(steps(60), (history) => {
        const events = new StreamWriter().write(history);
        const fold = new PatientFold();
        let reduced: PatientState = initialPatientState;
        const handedOut: { state: PatientState; json: string }[] = [];
        for (const stored of events) {
          fold.apply(stored);
          reduced = evolve(reduced, stored);
          expect(JSON.stringify(fold.state)).toBe(JSON.stringify(reduced));
          const snapshot = fold.snapshot();
          handedOut.push({ state: snapshot, json: JSON.stringify(snapshot) }, { state: reduced, json: JSON.stringify(reduced) });
        }
        expect(replayPatient(envelopes(events))).toStrictEqual(fold.state);
        for (const { state, json } of handedOut) expect(JSON.stringify(state)).toBe(json);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a state back from JSON and folds on from it as from the original', () => {
    fc.assert(
      fc.property(steps(30), steps(15), (before, after) => {
        const writer = new StreamWriter();
        const first = writer.write(before);
        const saved = JSON.parse(JSON.stringify(replayPatient(envelopes(first)))) as PatientState;
        const rest = writer.write(after);
        const expected = replayPatient(envelopes([...first, ...rest]));
        expect(JSON.stringify(rest.reduce(evolve, saved))).toBe(JSON.stringify(expected));
      }),
      { numRuns: 100 },
    );
  });
});

describe('the patient chart kept in step', () => {
  it('orders results and doses at every step as a chart built afresh from the state', () => {
    fc.assert(
      fc.property(steps(60), (history) => {
        const fold = new PatientFold();
        const chart = PatientChart.of(fold.state);
        for (const stored of new StreamWriter().write(history)) {
          fold.apply(stored);
          chart.observe(fold.state, stored);
          expect(orders(chart)).toEqual(orders(PatientChart.of(fold.state)));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('a copy of a chart, kept in step from there', () => {
  it('orders as a chart built afresh from the state, and leaves the chart it was copied from as it was', () => {
    fc.assert(
      fc.property(steps(40), steps(20), (before, after) => {
        const writer = new StreamWriter();
        const fold = new PatientFold();
        for (const stored of writer.write(before)) fold.apply(stored);
        const saved = fold.snapshot();
        const original = PatientChart.of(saved);
        const ordersBefore = orders(original);
        const goingOn = new PatientFold(saved);
        const copy = original.copy(goingOn.state);
        for (const stored of writer.write(after)) {
          goingOn.apply(stored);
          copy.observe(goingOn.state, stored);
        }
        expect(orders(copy)).toEqual(orders(PatientChart.of(goingOn.state)));
        expect(orders(original)).toEqual(ordersBefore);
      }),
      { numRuns: 200 },
    );
  });
});

describe('judging event by event (the alerting reactor)', () => {
  it('ends with exactly the alerts a judgement of the whole patient calls for', () => {
    fc.assert(
      fc.property(steps(50), (history) => {
        const events = new StreamWriter().write(history);
        const state = replayPatient(envelopes(events));
        const whole = judgePatient(state, PatientChart.of(state), { judgedAt: JUDGED_AT });
        const standing = reconcileAll(events);
        const open = whole.calls.filter((call) => !call.closedBy);
        const expected = Object.fromEntries(
          open.map((call) => [
            standingKey(call.ruleId, call.subject),
            { grade: call.figures.grade, severity: call.figures.severity, value: call.figures.value },
          ]),
        );
        expect(shown(standing)).toEqual(expected);
        // Every clock the rules call closed is closed among the standing alerts.
        const closed = whole.calls.filter((call) => call.closedBy).map((call) => standingKey(call.ruleId, call.subject));
        expect(closedKeys(standing)).toEqual(expect.arrayContaining(closed));
      }),
      { numRuns: 300 },
    );
  });

  it('raises on every result exactly what the tables of docs/safety-rules.md say', () => {
    fc.assert(
      fc.property(steps(50), (history) => {
        const state = replayPatient(envelopes(new StreamWriter().write(history)));
        const { calls } = judgePatient(state, PatientChart.of(state), { judgedAt: JUDGED_AT });
        for (const id of Object.keys(state.labs)) {
          const judged = calls
            .filter((call) => call.subject === `lab/${id}` && LAB_RULES.includes(call.ruleId))
            .map((call) => ({ ruleId: call.ruleId, grade: call.figures.grade, severity: call.figures.severity }));
          expect(judged).toEqual(expectedLabAlerts(state, id));
        }
      }),
      { numRuns: 300 },
    );
  });
});
