import { createSqliteEventStore } from '@vigil/event-store';
import { foldLog, safetyReport, SafetyReportCache, TrialFold } from '@vigil/reports';
import { nowMs, peakRssMB } from '../support/stats';

/**
 * The trial safety report over the whole store, `rounds` times, in its own process, as `GET /reports/safety`
 * derives it: cold (a fresh fold, one pass over the log, then the report: what a report as of a past moment,
 * or the first one after a start, costs) and warm (the report from the live fold, caught up: what each
 * later report costs). Prints {rounds: [{foldMs, reportMs, warmMs}], events, patients, alerts, peakRssMB}.
 */
async function main(): Promise<void> {
  const [file, roundsText] = process.argv.slice(2);
  const store = await createSqliteEventStore({ file });
  const rounds: { foldMs: number; reportMs: number; warmMs: number }[] = [];
  let shape = { events: 0, patients: 0, alerts: 0 };
  try {
    const head = await store.headPosition();
    for (let round = 0; round < Number(roundsText); round++) {
      const asOf = new Date().toISOString();
      const started = nowMs();
      const fold = await foldLog(store, new TrialFold({ labs: 'compact', asOfMs: Date.parse(asOf) }), head);
      const folded = nowMs();
      // The API keeps the facts of the live fold per patient: the first report derives them, later ones reuse them.
      const facts = new SafetyReportCache();
      const report = safetyReport(fold, { asOf }, { cache: facts });
      const reported = nowMs();
      safetyReport(fold, { asOf: new Date().toISOString() }, { cache: facts });
      rounds.push({ foldMs: folded - started, reportMs: reported - folded, warmMs: nowMs() - reported });
      shape = { events: fold.readTo, patients: report.exposure.enrolled, alerts: report.alerts.byRule.reduce((sum, line) => sum + line.raised, 0) };
    }
  } finally {
    await store.close();
  }
  console.log(JSON.stringify({ rounds, ...shape, peakRssMB: peakRssMB() }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
