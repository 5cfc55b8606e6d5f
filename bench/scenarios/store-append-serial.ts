import { join } from 'node:path';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { appendRound, storeWithPatients } from '../support/appends';
import { percent, thousands } from '../support/report';
import { Latencies, median } from '../support/stats';
import { MACHINE_LIMIT, rawInserts, storedEventRow } from './machine-limit';

const share = 0.7;

/**
 * A lone writer: every append waits for its own fsync. Compared with one raw row per transaction,
 * measured between its rounds (the spec's target, from the machine-limit row, stands when it fails).
 */
export const storeAppendSerial: Scenario = {
  name: 'store-append-serial',
  title: 'Store append, 1 at a time, durable',
  needs: [MACHINE_LIMIT],
  figures: (bench: BenchContext) => {
    const limit = bench.measured(MACHINE_LIMIT).oneRowPerTx.value;
    return [
      {
        key: 'throughput',
        label: 'appends/s',
        unit: 'events/s',
        target: { atLeast: share * limit, text: `≥ 70 % of 1 row/tx = ${thousands(share * limit)}/s` },
      },
    ];
  },

  async run(bench: BenchContext): Promise<Measurement> {
    const limit = bench.measured(MACHINE_LIMIT).oneRowPerTx.value;
    const rates: number[] = [];
    // A raw round after each of the store's: the target is a share of the machine's rate at that very
    // moment, not of the machine-limit row measured a minute earlier (a busy disk moves both).
    const paired: number[] = [];
    const row = storedEventRow();
    const latencies = new Latencies();
    for (let round = 0; round < bench.options.rounds; round++) {
      const { store, versions } = await storeWithPatients(bench, 100);
      try {
        rates.push(await appendRound(store, versions, bench.options.serialAppends, 1, latencies));
      } finally {
        await store.close();
      }
      paired.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, bench.options.serialAppends, 1));
    }
    bench.log(`store, 1 at a time: ${rates.map(Math.round).join(', ')} events/s; raw 1 row/tx between them: ${paired.map(Math.round).join(', ')} rows/s`);
    const value = median(rates);
    const pairedLimit = median(paired);
    return {
      throughput: {
        value,
        target: { atLeast: share * pairedLimit, text: `≥ 70 % of raw 1 row/tx beside it = ${thousands(share * pairedLimit)}/s` },
        p50: latencies.p50,
        p99: latencies.p99,
        details: {
          note: `${percent(value / pairedLimit)} of the raw rate measured between its own rounds (${thousands(pairedLimit)}/s), ${percent(value / limit)} of the machine-limit row`,
          ofPairedLimit: value / pairedLimit,
          pairedLimit,
          ofLimit: value / limit,
          limit,
          appendsPerRound: bench.options.serialAppends,
          rounds: rates.length,
          samples: rates.map(Math.round),
        },
      },
    };
  },
};
