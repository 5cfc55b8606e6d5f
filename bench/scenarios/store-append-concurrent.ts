import { join } from 'node:path';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { appendRound, storeWithPatients } from '../support/appends';
import { percent, thousands } from '../support/report';
import { Latencies, median } from '../support/stats';
import { MACHINE_LIMIT, rawInserts, storedEventRow } from './machine-limit';

const share = 0.5;

/**
 * Many writers on different patients: concurrent appends share one transaction and one fsync
 * (group commit). Compared with 100 raw rows per transaction, measured between its rounds.
 */
export const storeAppendConcurrent: Scenario = {
  name: 'store-append-concurrent',
  title: 'Store append, 64 in flight, durable',
  needs: [MACHINE_LIMIT],
  figures: (bench: BenchContext) => {
    const limit = bench.measured(MACHINE_LIMIT).hundredRowsPerTx.value;
    return [
      {
        key: 'throughput',
        label: `appends/s, ${bench.options.inFlight} in flight`,
        unit: 'events/s',
        target: { atLeast: share * limit, text: `≥ 50 % of 100 rows/tx = ${thousands(share * limit)}/s` },
      },
    ];
  },

  async run(bench: BenchContext): Promise<Measurement> {
    const { rounds, concurrentAppends, inFlight } = bench.options;
    const limit = bench.measured(MACHINE_LIMIT).hundredRowsPerTx.value;
    const rates: number[] = [];
    // A raw round after each of the store's: the target is a share of the machine's rate at that very
    // moment, not of the machine-limit row measured a minute earlier (a busy disk moves both).
    const paired: number[] = [];
    const row = storedEventRow();
    const latencies = new Latencies();
    for (let round = 0; round < rounds; round++) {
      const { store, versions } = await storeWithPatients(bench, inFlight * 4);
      try {
        rates.push(await appendRound(store, versions, concurrentAppends, inFlight, latencies));
      } finally {
        await store.close();
      }
      paired.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, concurrentAppends, 100));
    }
    bench.log(`store, ${inFlight} in flight: ${rates.map(Math.round).join(', ')} events/s; raw 100 rows/tx between them: ${paired.map(Math.round).join(', ')} rows/s`);
    const value = median(rates);
    const pairedLimit = median(paired);
    return {
      throughput: {
        value,
        target: { atLeast: share * pairedLimit, text: `≥ 50 % of raw 100 rows/tx beside it = ${thousands(share * pairedLimit)}/s` },
        p50: latencies.p50,
        p99: latencies.p99,
        details: {
          note: `${percent(value / pairedLimit)} of the raw rate measured between its own rounds (${thousands(pairedLimit)}/s), ${percent(value / limit)} of the machine-limit row`,
          ofPairedLimit: value / pairedLimit,
          pairedLimit,
          ofLimit: value / limit,
          limit,
          inFlight, appendsPerRound: concurrentAppends, rounds: rates.length, samples: rates.map(Math.round) },
      },
    };
  },
};
