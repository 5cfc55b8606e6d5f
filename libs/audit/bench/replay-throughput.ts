/**
 * How long replaying one long patient stream takes (the fold and the grading, in memory), to find where
 * the time goes. Not a test: run with
 *   node -r ./libs/audit/bench/register-ts.js libs/audit/bench/replay-throughput.ts [events]
 */
import { replayPatientAt } from '../src/replay/replay-patient-at';
import { enrolled, platelets, storedStream } from '../src/testing/stored-events';

const total = Number(process.argv[2] ?? 10_000);
const start = Date.parse('2026-01-06T07:30:00Z');
const specs = [{ ...enrolled(), recordedAt: '2026-01-05T09:00:00.000Z' }];
for (let i = 1; i < total; i++) {
  const at = new Date(start + i * 60_000).toISOString();
  specs.push({ ...platelets(150 + (i % 200), at), recordedAt: at } as never);
}
const stream = storedStream('patient-TR-SAT-001', specs);
for (const label of ['cold', 'warm', 'warm']) {
  const t0 = process.hrtime.bigint();
  const snapshot = replayPatientAt('TR-SAT-001', stream, [], { asOf: new Date().toISOString() });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.log(`${label}: ${stream.length} events, ${snapshot.labs.length} labs graded in ${ms.toFixed(1)} ms`);
}
