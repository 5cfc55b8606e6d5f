import { join } from 'node:path';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { rawInserts, storedEventRow } from '../support/raw-inserts';
import { median } from '../support/stats';

export const MACHINE_LIMIT = 'machine-limit';

/**
 * What this machine's disk and SQLite allow, measured in the same run as the store: a bare
 * better-sqlite3 loop inserting rows the size of a stored lab result event, with the store's
 * durability (WAL, synchronous=FULL: every commit fsynced). One row per transaction bounds an
 * append at a time; 100 rows per transaction bounds appends that share a commit.
 */
export const machineLimit: Scenario = {
  name: MACHINE_LIMIT,
  title: 'Machine limit: raw SQLite, WAL + FULL',
  figures: () => [
    { key: 'oneRowPerTx', label: 'inserts, 1 row/tx', unit: 'rows/s' },
    { key: 'hundredRowsPerTx', label: 'inserts, 100 rows/tx', unit: 'rows/s' },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const { rounds, limitRows } = bench.options;
    const row = storedEventRow();
    const single: number[] = [];
    const hundred: number[] = [];
    for (let round = 0; round < rounds; round++) {
      single.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, limitRows, 1));
      hundred.push(rawInserts(join(bench.freshDir('limit'), 'raw.sqlite'), row, limitRows * 10, 100));
    }
    const bytes = row.streamId.length + row.data.length + row.metadata.length + row.hash.length * 2 + 36;
    const details = { rowBytes: bytes, rounds };
    bench.log(`raw 1 row/tx: ${single.map(Math.round).join(', ')} rows/s; 100 rows/tx: ${hundred.map(Math.round).join(', ')} rows/s`);
    return {
      oneRowPerTx: { value: median(single), details: { ...details, rowsPerRound: limitRows, samples: single.map(Math.round) } },
      hundredRowsPerTx: { value: median(hundred), details: { ...details, rowsPerRound: limitRows * 10, samples: hundred.map(Math.round) } },
    };
  },
};
