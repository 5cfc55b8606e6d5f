import type { BenchContext, Measurement, Scenario } from '../scenario';
import { runChild } from '../support/child';
import { sharedDataset } from '../support/dataset';
import { thousands } from '../support/report';
import { median } from '../support/stats';

interface Verified {
  via: string;
  checkpoints: number;
  rounds: { events: number; ms: number }[];
  ok: boolean;
  peakRssMB: number;
}

/** Every event's hash and chain link, and every signed checkpoint (one per 1 000 events), the whole store, in a process of its own. */
export const checkpointVerify: Scenario = {
  name: 'checkpoint-verify',
  title: 'Audit verification with signed checkpoints',
  figures: (bench: BenchContext) => [
    {
      key: 'throughput',
      label: `events/s, ${thousands(bench.options.events)} events, a checkpoint per 1 000`,
      unit: 'events/s',
      target: { atLeast: 300_000, text: '≥ 300 000 events/s (of 1 000 000)' },
    },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const dataset = await sharedDataset(bench, bench.options.events);
    const { last: result } = await runChild<Verified>(bench, 'checkpoint-verify', [dataset.file, String(Math.min(3, bench.options.rounds)), '1000']);
    if (!result.ok) throw new Error('the verification found a broken chain or checkpoint in a store written and signed by Vigil itself');
    const counted = result.rounds.find((round) => round.events !== dataset.events);
    if (counted) throw new Error(`verified ${counted.events} events, the store holds ${dataset.events}`);
    const rates = result.rounds.map((round) => round.events / (round.ms / 1000));
    bench.log(`${result.via}: ${result.checkpoints} checkpoints, ${rates.map(Math.round).join(', ')} events/s, peak RSS ${result.peakRssMB.toFixed(0)} MB`);
    return {
      throughput: {
        value: median(rates),
        details: {
          via: result.via,
          events: dataset.events,
          checkpoints: result.checkpoints,
          rounds: rates.length,
          samples: rates.map(Math.round),
          peakRssMB: Math.round(result.peakRssMB),
        },
      },
    };
  },
};
