import { verifyStore } from '@vigil/audit';
import { createSqliteEventStore } from '@vigil/event-store';
import { nowMs, peakRssMB } from '../support/stats';

/**
 * Verifies the whole store, `rounds` times, in its own process, with what `GET /audit/verify`
 * and the CLI run (`verifyStore` of @vigil/audit: every event's hash and chain link, in global order).
 * Prints {via, rounds: [{events, ms, cpuMs}], ok, peakRssMB}.
 */
async function main(): Promise<void> {
  const [file, roundsText] = process.argv.slice(2);
  const store = await createSqliteEventStore({ file });
  const rounds: { events: number; ms: number; cpuMs: number }[] = [];
  let ok = true;
  try {
    for (let round = 0; round < Number(roundsText); round++) {
      const started = nowMs();
      const cpu = process.cpuUsage();
      const report = await verifyStore(store);
      const used = process.cpuUsage(cpu);
      // CPU of every thread of the process (the reader threads too): the work, whatever else runs on the machine.
      rounds.push({ events: report.events, ms: nowMs() - started, cpuMs: (used.user + used.system) / 1000 });
      ok &&= report.ok;
    }
  } finally {
    await store.close();
  }
  console.log(JSON.stringify({ via: '@vigil/audit verifyStore', rounds, ok, peakRssMB: peakRssMB() }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
