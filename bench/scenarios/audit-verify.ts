import type { BenchContext, Measurement, Scenario } from '../scenario';
import { NotAvailableYet } from '../scenario';
import { runChild } from '../support/child';
import { onSqliteOnly, sharedDataset } from '../support/dataset';
import { thousands } from '../support/report';
import { median } from '../support/stats';

interface Verified {
  via: string;
  rounds: { events: number; ms: number; cpuMs: number }[];
  ok: boolean;
  peakRssMB: number;
}

/** Every event's hash and chain link checked, the whole store, in a process of its own. */
export const auditVerify: Scenario = {
  name: 'audit-verify',
  title: 'Audit verification, whole store',
  figures: (bench: BenchContext) => [
    {
      key: 'throughput',
      label: `events/s, ${thousands(bench.options.events)} events`,
      unit: 'events/s',
      target: { atLeast: 300_000, text: '≥ 300 000 events/s' },
    },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    if (bench.store.kind === 'postgres') throw new NotAvailableYet(onSqliteOnly);
    const dataset = await sharedDataset(bench, bench.options.events);
    // A million events take seconds per round at the target, minutes far below it: three rounds give a median.
    const { last: result } = await runChild<Verified>(bench, 'audit-verify', [dataset.file, String(Math.min(3, bench.options.rounds))]);
    if (!result.ok) throw new Error('the verification found a broken chain in a store written by the adapter itself');
    const counted = result.rounds.find((round) => round.events !== dataset.events);
    if (counted) throw new Error(`verified ${counted.events} events, the store holds ${dataset.events}`);
    const rates = result.rounds.map((round) => round.events / (round.ms / 1000));
    // Cores the verification had (CPU time of its threads ÷ wall time): below 2 when other work shares the machine.
    const cores = result.rounds.map((round) => round.cpuMs / round.ms);
    const perCpuSecond = result.rounds.map((round) => round.events / (round.cpuMs / 1000));
    bench.log(
      `${result.via}: ${rates.map(Math.round).join(', ')} events/s on ${cores.map((c) => c.toFixed(2)).join(', ')} cores ` +
        `(${perCpuSecond.map(Math.round).join(', ')} events per CPU-second), peak RSS ${result.peakRssMB.toFixed(0)} MB`,
    );
    return {
      throughput: {
        value: median(rates),
        details: {
          via: result.via,
          events: dataset.events,
          rounds: rates.length,
          samples: rates.map(Math.round),
          cores: cores.map((c) => Number(c.toFixed(2))),
          eventsPerCpuSecond: perCpuSecond.map(Math.round),
          peakRssMB: Math.round(result.peakRssMB),
        },
      },
    };
  },
};
