import type { BenchContext, Measurement, Scenario } from '../scenario';
import { NotAvailableYet } from '../scenario';
import { runChild } from '../support/child';
import { onSqliteOnly } from '../support/dataset';
import { sharedReportDataset } from '../support/report-dataset';
import { thousands } from '../support/report';
import { median } from '../support/stats';

interface Rounds {
  rounds: { foldMs: number; reportMs: number; warmMs: number }[];
  events: number;
  patients: number;
  alerts: number;
  peakRssMB: number;
}

/** Patients of the measured trial: the target is stated for 1 000 patients and 1 000 000 events. */
const PATIENTS = 1_000;

/**
 * `GET /reports/safety` over a whole trial (docs/interchange.md), in a process of its own: cold (one pass over
 * the log into a fresh fold, then the report) and warm (the report from a fold already caught up).
 */
export const safetyReportScenario: Scenario = {
  name: 'safety-report',
  title: 'Trial safety report',
  figures: (bench: BenchContext) => [
    {
      key: 'cold',
      label: `ms, ${thousands(patientsFor(bench.options.events))} patients, ${thousands(bench.options.events)} events, one pass over the log`,
      unit: 'ms',
      target: { atMost: 2_000, text: '≤ 2 s (1 000 patients, 1 000 000 events)' },
    },
    {
      key: 'warm',
      label: `ms, the same from a fold caught up`,
      unit: 'ms',
      target: { atMost: 2_000, text: '≤ 2 s' },
    },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    if (bench.store.kind === 'postgres') throw new NotAvailableYet(onSqliteOnly);
    const dataset = await sharedReportDataset(bench, bench.options.events, patientsFor(bench.options.events));
    const { last } = await runChild<Rounds>(bench, 'safety-report', [dataset.file, String(Math.min(3, bench.options.rounds))]);
    if (last.patients !== dataset.patients) throw new Error(`the report counted ${last.patients} patients, the store holds ${dataset.patients}`);
    const cold = last.rounds.map((round) => round.foldMs + round.reportMs);
    const warm = last.rounds.map((round) => round.warmMs);
    bench.log(
      `cold ${cold.map(Math.round).join(', ')} ms (fold ${last.rounds.map((r) => Math.round(r.foldMs)).join(', ')} ms), ` +
        `warm ${warm.map(Math.round).join(', ')} ms, ${last.alerts} alerts, peak RSS ${Math.round(last.peakRssMB)} MB`,
    );
    const details = { events: last.events, patients: last.patients, alerts: last.alerts, peakRssMB: Math.round(last.peakRssMB), rounds: last.rounds };
    return {
      cold: { value: median(cold), details: { ...details, samples: cold.map(Math.round) } },
      warm: { value: median(warm), details: { ...details, samples: warm.map(Math.round) } },
    };
  },
};

function patientsFor(events: number): number {
  return Math.max(1, Math.min(PATIENTS, Math.floor(events / 100)));
}
