/**
 * Audit verification throughput: `verifyStore` (what `GET /audit/verify` and `vigil audit verify` run)
 * over a SQLite store of realistic trial events, read from disk in global order. Not a test: run with
 *   node -r ./scripts/register-ts.js libs/audit/bench/verify-throughput.ts [events] [rounds]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, NewEvent } from '@vigil/event-store';
import { verifyStore } from '../src/verification/verify-store';

const total = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const PATIENTS = 2_000;
const PER_APPEND = 100;

const metadata = (i: number) => ({
  userId: `inv-${i % 40}`,
  userName: 'Dr Claire Martin',
  role: 'investigator',
  siteId: ['SAT', 'PSL', 'COC', 'PBR', 'HMN', 'HEGP'][i % 6],
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
  correlationId: `c-${i}`,
  causationId: null,
});

const labResult = (i: number, patientId: string): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 2,
  data: {
    patientId,
    test: 'PLAT',
    value: 150 + (i % 200),
    unit: '10*9/L',
    referenceRange: { low: 150, high: 400 },
    collectedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
    studyDay: i % 540,
    normalised: { value: 150 + (i % 200), unit: '10*9/L', referenceRange: { low: 150, high: 400 } },
  },
  metadata: metadata(i),
});

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-bench-'));
  const file = join(dir, 'events.sqlite');
  try {
    const writer = await createSqliteEventStore({ file });
    let written = 0;
    while (written < total) {
      const patientId = `TR-${String((written / PER_APPEND) % PATIENTS).padStart(4, '0')}`;
      const events = Array.from({ length: Math.min(PER_APPEND, total - written) }, (_, k) => labResult(written + k, patientId));
      await writer.append(`patient-${patientId}`, events, { expectedVersion: 'any' });
      written += events.length;
    }
    await writer.close();
    console.log(`store: ${total} events in ${PATIENTS} streams, ${(statSync(file).size / 1e6).toFixed(0)} MB`);

    const store = await createSqliteEventStore({ file });
    try {
      // Where the time goes: reading and parsing alone, without hashing.
      const readStarted = process.hrtime.bigint();
      let read = 0;
      for await (const batch of store.readAll({ batchSize: 2_000 })) read += batch.length;
      const readSeconds = Number(process.hrtime.bigint() - readStarted) / 1e9;
      console.log(`readAll alone: ${read} events in ${readSeconds.toFixed(2)} s = ${Math.round(read / readSeconds)} events/s`);
      for (let round = 1; round <= rounds; round++) {
        const started = process.hrtime.bigint();
        const report = await verifyStore(store);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (!report.ok || report.events !== total) throw new Error(`unexpected report: ${JSON.stringify(report).slice(0, 300)}`);
        console.log(
          `round ${round}: ${report.events} events, ${report.streams} streams in ${seconds.toFixed(2)} s = ` +
            `${Math.round(report.events / seconds)} events/s (rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB)`,
        );
      }
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
