/**
 * Append throughput of the SQLite adapter against raw better-sqlite3 with the same durability
 * (WAL, synchronous=FULL). Not a test: run with
 *   node -r ./scripts/register-ts.js libs/event-store/bench/sqlite-throughput.ts [seconds]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NewEvent } from '../src/event-store';
import { createSqliteEventStore } from '../src/sqlite/sqlite-event-store';

const seconds = Number(process.argv[2] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-'));

const event = (i: number): NewEvent => ({
  type: 'LabResultRecorded',
  schemaVersion: 1,
  data: { patientId: `TR-${i % 500}`, test: 'PLAT', value: 150 + (i % 100), unit: '10^9/L', referenceRange: { low: 150, high: 400 } },
  metadata: { userId: 'u-1', role: 'investigator', siteId: 'site-1', occurredAt: '2024-01-01T00:00:00.000Z', correlationId: `c-${i}` },
});

async function timed(name: string, unit: string, run: (deadline: number) => Promise<number> | number): Promise<void> {
  const start = process.hrtime.bigint();
  const count = await run(Date.now() + seconds * 1000);
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${name.padEnd(52)} ${String(Math.round(count / elapsed)).padStart(8)} ${unit}/s  (${count} in ${elapsed.toFixed(2)} s)`);
}

function rawDb(file: string) {
  const db = new Database(join(dir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE events (global_position INTEGER PRIMARY KEY, stream_id TEXT, stream_version INTEGER, data TEXT, UNIQUE (stream_id, stream_version))');
  return db;
}

async function main() {
  console.log(`SQLite append throughput, ${seconds} s each, files in ${dir}`);

  await timed('raw better-sqlite3, 1 row per transaction', 'rows', (deadline) => {
    const db = rawDb('raw1.sqlite');
    const insert = db.prepare('INSERT INTO events (stream_id, stream_version, data) VALUES (?, ?, ?)');
    const one = db.transaction((i: number) => insert.run(`s-${i}`, 1, JSON.stringify(event(i).data)));
    let n = 0;
    while (Date.now() < deadline) one(n++);
    db.close();
    return n;
  });

  await timed('raw better-sqlite3, 100 rows per transaction', 'rows', (deadline) => {
    const db = rawDb('raw100.sqlite');
    const insert = db.prepare('INSERT INTO events (stream_id, stream_version, data) VALUES (?, ?, ?)');
    const hundred = db.transaction((from: number) => {
      for (let i = from; i < from + 100; i++) insert.run(`s-${i}`, 1, JSON.stringify(event(i).data));
    });
    let n = 0;
    while (Date.now() < deadline) {
      hundred(n);
      n += 100;
    }
    db.close();
    return n;
  });

  for (const [label, inFlight] of [
    ['Vigil SQLite store, single appends one at a time', 1],
    ['Vigil SQLite store, 64 appends in flight', 64],
  ] as const) {
    const store = await createSqliteEventStore({ file: join(dir, `store-${inFlight}.sqlite`) });
    await timed(label, 'appends', async (deadline) => {
      let n = 0;
      const writer = async () => {
        while (Date.now() < deadline) {
          const i = n++;
          await store.append(`patient-${i}`, [event(i)], { expectedVersion: 'no_stream' });
        }
      };
      await Promise.all(Array.from({ length: inFlight }, writer));
      return n;
    });
    await store.close();
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
