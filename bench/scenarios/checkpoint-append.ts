import { join } from 'node:path';
import { Checkpointer, loadSigningKey } from '@vigil/audit';
import type { CheckpointLog } from '@vigil/event-store';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { appendRound, storeWithPatients } from '../support/appends';
import { percent, thousands } from '../support/report';
import { Latencies, median } from '../support/stats';

const ROUNDS = 3;

/**
 * What checkpointing costs appends: rounds of 64 appends in flight on a fresh store, with the checkpointer
 * following the log (a signed checkpoint every 1 000 events, the tree folded incrementally) and without it,
 * interleaved (with, without, without, with…) so that a machine getting busier weighs on both; medians.
 */
export const checkpointAppend: Scenario = {
  name: 'checkpoint-append',
  title: 'Store append with the checkpointer running',
  figures: () => [
    {
      key: 'share',
      label: 'appends/s with the checkpointer, % of without, 64 in flight',
      unit: '%',
      target: { atLeast: 95, text: '≥ 95 % (appends at most 5 % slower)' },
    },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const appends = bench.options.concurrentAppends;
    const withRates: number[] = [];
    const withoutRates: number[] = [];
    const checkpoints: number[] = [];
    for (let round = 0; round < ROUNDS * 2; round++) {
      const checkpointing = round % 4 === 0 || round % 4 === 3;
      const { store, versions } = await storeWithPatients(bench, 100);
      const key = loadSigningKey(join(bench.freshDir('key'), 'audit-signing-key.pem'), { generate: true });
      const checkpointer = checkpointing ? new Checkpointer(store, store.checkpoints as CheckpointLog, key, { every: 1_000, intervalMs: 60_000 }) : null;
      try {
        await checkpointer?.start();
        const rate = await appendRound(store, versions, appends, bench.options.inFlight, new Latencies());
        if (checkpointer) {
          await checkpointer.checkpointNow();
          checkpoints.push((await store.checkpoints?.list(0, 1000))?.length ?? 0);
          withRates.push(rate);
        } else withoutRates.push(rate);
      } finally {
        await checkpointer?.stop();
        await store.close();
      }
    }
    const share = median(withRates) / median(withoutRates);
    bench.log(
      `with the checkpointer: ${withRates.map(Math.round).join(', ')} appends/s (${checkpoints.join(', ')} checkpoints); ` +
        `without: ${withoutRates.map(Math.round).join(', ')}; ${percent(share)}`,
    );
    return {
      share: {
        value: Math.round(share * 1000) / 10,
        details: {
          note:
            `${thousands(median(withRates))} vs ${thousands(median(withoutRates))} appends/s ` +
            `(medians of ${ROUNDS} interleaved rounds each, ${appends} appends per round)`,
          withCheckpointer: withRates.map(Math.round),
          withoutCheckpointer: withoutRates.map(Math.round),
          checkpointsPerRound: checkpoints,
        },
      },
    };
  },
};
