/**
 * Hash-chain verification throughput: the verifier alone over events in memory, then the audit path
 * (chain records from a SQLite file + verify), and the parsed path adapters without chain records
 * take (readAll + verify). Not a test: run with
 *   node -r ./scripts/register-ts.js libs/event-store/bench/verify-throughput.ts [events]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainVerifier } from '../src/chain-verifier';
import { NewEvent } from '../src/event-store';
import { createSqliteEventStore } from '../src/sqlite/sqlite-event-store';
import { chainedLog } from '../src/testing/chained-log';

const total = Number(process.argv[2] ?? 500_000);

let cpuAtStart = process.cpuUsage();

/** Wall-clock rate, and the rate per CPU-second of this process (what one idle core would do; the machine is shared). */
function rate(label: string, events: number, started: bigint): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${label.padEnd(44)} ${String(Math.round(events / seconds)).padStart(8)} events/s wall, ` +
      `${String(Math.round(events / cpuSeconds)).padStart(8)} per CPU-second  (${events} in ${seconds.toFixed(2)} s)`,
  );
}

function startClock(): bigint {
  cpuAtStart = process.cpuUsage();
  return process.hrtime.bigint();
}

async function main() {
  const log = chainedLog(1000, Math.ceil(total / 1000));
  const verifier = new ChainVerifier();
  let started = startClock();
  for (let i = 0; i < log.length; i += 1000) verifier.feed(log.slice(i, i + 1000));
  const report = verifier.finish();
  rate('ChainVerifier, events in memory', log.length, started);
  if (!report.ok) throw new Error('verification failed');

  const dir = mkdtempSync(join(tmpdir(), 'vigil-verify-bench-'));
  const store = await createSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const event = (i: number): NewEvent => ({
    type: 'LabResultRecorded',
    schemaVersion: 1,
    data: { patientId: `TR-${i % 1000}`, test: 'PLAT', value: 150 + (i % 100), unit: '10^9/L', referenceRange: { low: 150, high: 400 } },
    metadata: { userId: 'u-1', role: 'investigator', siteId: 'site-1', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: `c-${i}` },
  });
  for (let written = 0; written < total;) {
    const appends = [];
    for (let k = 0; k < 64 && written < total; k++, written += 100) {
      appends.push(
        store.append(
          `patient-${written % 1000}`,
          Array.from({ length: 100 }, (_, j) => event(written + j)),
          { expectedVersion: 'any' },
        ),
      );
    }
    await Promise.all(appends);
  }
  const stored = await store.headPosition();
  started = startClock();
  const fromRecords = new ChainVerifier();
  for await (const batch of store.readChainRecords!({ batchSize: 2000 })) fromRecords.feedRecords(batch);
  const result = fromRecords.finish();
  rate('SQLite chain records + verifier (audit path)', result.events, started);
  started = startClock();
  const fromDisk = new ChainVerifier();
  for await (const batch of store.readAll({ batchSize: 2000 })) fromDisk.feed(batch);
  rate('SQLite readAll + verifier (parsed path)', fromDisk.finish().events, started);
  started = startClock();
  let read = 0;
  for await (const batch of store.readChainRecords!({ batchSize: 2000 })) read += batch.length;
  rate('SQLite chain records alone', read, started);
  started = startClock();
  read = 0;
  for await (const batch of store.readAll({ batchSize: 2000 })) read += batch.length;
  rate('SQLite readAll alone', read, started);
  console.log(`stored ${stored} events, verified ok=${result.ok}, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
