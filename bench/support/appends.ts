import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore, NewEvent } from '@vigil/event-store';
import { patientStream } from '@vigil/domain';
import type { BenchContext } from '../scenario';
import { Latencies, nowMs } from './stats';
import { labResultRecorded, patientEnrolled, patientId } from './trial-events';

/** A fresh SQLite event store (the adapter `npm start` uses) with `patients` patients enrolled. */
export async function storeWithPatients(bench: BenchContext, patients: number): Promise<{ store: EventStore; versions: number[] }> {
  const store = await createSqliteEventStore({ file: join(bench.freshDir('store'), 'events.sqlite') });
  await Promise.all(
    Array.from({ length: patients }, (_, p) =>
      store.append(patientStream(patientId(p)), [patientEnrolled(p)], { expectedVersion: 'no_stream' }),
    ),
  );
  return { store, versions: Array.from({ length: patients }, () => 1) };
}

/**
 * One round of appends, one lab result event per command, `inFlight` commands at a time. Worker w
 * owns patients w, w + inFlight, …, so appends never race on a stream; each append states the
 * version it expects, as the command handler does. Returns appends per second.
 */
export async function appendRound(
  store: EventStore,
  versions: number[],
  appends: number,
  inFlight: number,
  latencies: Latencies,
): Promise<number> {
  const patients = versions.length;
  const planned: { patient: number; event: NewEvent; commandId: string }[][] = Array.from({ length: inFlight }, () => []);
  for (let i = 0; i < appends; i++) {
    const worker = i % inFlight;
    const owned = Math.max(1, Math.floor((patients - worker + inFlight - 1) / inFlight));
    const patient = worker + inFlight * (Math.floor(i / inFlight) % owned);
    planned[worker].push({ patient, event: labResultRecorded(patient, i), commandId: randomUUID() });
  }
  const started = nowMs();
  await Promise.all(
    planned.map(async (work) => {
      for (const { patient, event, commandId } of work) {
        const sent = nowMs();
        const result = await store.append(patientStream(patientId(patient)), [event], { expectedVersion: versions[patient], commandId });
        latencies.add(nowMs() - sent);
        versions[patient] = result.version;
      }
    }),
  );
  return appends / ((nowMs() - started) / 1000);
}
