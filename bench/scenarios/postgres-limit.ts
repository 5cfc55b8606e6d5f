import { Client } from 'pg';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { storedEventRow } from '../support/raw-inserts';
import { median } from '../support/stats';
import { MACHINE_LIMIT } from './machine-limit';

/**
 * With `--store postgres`, the machine limit is what PostgreSQL itself allows through `pg`, measured in the same
 * run as the store: rows the size of a stored lab result event inserted into a table of the event's shape (a
 * bigint primary key, ids, JSON data and metadata, hashes), one INSERT statement per transaction, so one round
 * trip and one durable commit each. One row per transaction bounds an append at a time; 100 rows per transaction
 * bounds appends that share a commit. Whatever the server's settings, the store is held to the same ones.
 */
export const postgresLimit: Scenario = {
  name: MACHINE_LIMIT,
  title: 'Machine limit: raw PostgreSQL via pg',
  figures: () => [
    { key: 'oneRowPerTx', label: 'inserts, 1 row/tx', unit: 'rows/s' },
    { key: 'hundredRowsPerTx', label: 'inserts, 100 rows/tx', unit: 'rows/s' },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const { rounds, limitRows } = bench.options;
    const settings = await serverSettings(bench.options.postgresUrl);
    bench.log(`PostgreSQL ${settings.server_version}, synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}`);
    const single: number[] = [];
    const hundred: number[] = [];
    for (let round = 0; round < rounds; round++) {
      single.push(await bench.store.raw(limitRows, 1));
      hundred.push(await bench.store.raw(limitRows * 10, 100));
    }
    const row = storedEventRow();
    const bytes = row.streamId.length + row.data.length + row.metadata.length + row.hash.length * 2 + 36;
    const durable = settings.synchronous_commit !== 'off' && settings.fsync === 'on';
    const details = {
      rowBytes: bytes,
      rounds,
      server: settings,
      ...(durable ? {} : { note: `commits are not durable on this server (fsync=${settings.fsync}, synchronous_commit=${settings.synchronous_commit})` }),
    };
    bench.log(`raw 1 row/tx: ${single.map(Math.round).join(', ')} rows/s; 100 rows/tx: ${hundred.map(Math.round).join(', ')} rows/s`);
    return {
      oneRowPerTx: { value: median(single), details: { ...details, rowsPerRound: limitRows, samples: single.map(Math.round) } },
      hundredRowsPerTx: { value: median(hundred), details: { ...details, rowsPerRound: limitRows * 10, samples: hundred.map(Math.round) } },
    };
  },
};

async function serverSettings(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'synchronous_commit', 'fsync', 'wal_sync_method')`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await client.end();
  }
}
