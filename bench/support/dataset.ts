import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { patientStream } from '@vigil/domain';
import { createSqliteEventStore, NewEvent } from '@vigil/event-store';
import type { BenchContext } from '../scenario';
import { nowMs } from './stats';
import { adverseEventReported, doseAdministered, labResultRecorded, patientEnrolled, patientId } from './trial-events';

export interface Dataset {
  /** The SQLite event store file. */
  file: string;
  events: number;
  patients: number;
}

/** Why the scenarios over the seeded store are not measured with `--store postgres`. */
export const onSqliteOnly = 'reads a store the bench seeds through the SQLite adapter; not measured on PostgreSQL (--store postgres) yet';

const EVENTS_PER_APPEND = 100;
const IN_FLIGHT = 32;

/**
 * A store holding exactly `events` events of a trial, written through the SQLite adapter (so hashes,
 * chains and positions are real): patients enrolled, then lab results (1 in 50 below a safety
 * threshold), doses and adverse events. No alert events: only the safety process raises those
 * (the projection rebuild's first build does). Built once per run and size.
 */
export function sharedDataset(bench: BenchContext, events: number): Promise<Dataset> {
  return bench.shared(`dataset-${events}`, () => seedDataset(bench, events));
}

async function seedDataset(bench: BenchContext, total: number): Promise<Dataset> {
  const file = join(bench.freshDir(`dataset-${total}`), 'events.sqlite');
  const store = await createSqliteEventStore({ file });
  const patients = Math.max(1, Math.min(2_000, Math.round(total / 500)));
  const started = nowMs();
  const written = { events: 0 };
  const plan = appendsOf(total, patients, written);
  let reported = started;
  try {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let job = plan.next(); !job.done; job = plan.next()) {
          await store.append(job.value.streamId, job.value.events, { expectedVersion: 'any', commandId: orderedUuid() });
          if (nowMs() - reported > 5_000) {
            reported = nowMs();
            bench.log(`seeding: ${written.events} / ${total} events planned`);
          }
        }
      }),
    );
  } finally {
    await store.close();
  }
  const seconds = (nowMs() - started) / 1000;
  bench.log(`seeded ${total} events (${patients} patients) in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s)`);
  return { file, events: total, patients };
}

let sequence = Date.now() * 4096;
const node = randomBytes(8).toString('hex');

/**
 * Time-ordered UUIDs (v7 layout) for the dataset's event and command ids: inserts land at the end
 * of the id indexes, so seeding a million events takes seconds, not minutes. Only the seeding is
 * sped up; what is measured afterwards reads the log in global order, whatever the ids.
 */
function orderedUuid(): string {
  const count = (sequence++).toString(16).padStart(15, '0').slice(-15);
  return `${count.slice(0, 8)}-${count.slice(8, 12)}-7${count.slice(12, 15)}-8${node.slice(0, 3)}-${node.slice(3, 15).padEnd(12, '0')}`;
}

/** The appends that write the dataset, patient by patient in turn, 100 events at a time. */
function* appendsOf(total: number, patients: number, written: { events: number }): Generator<{ streamId: string; events: NewEvent[] }> {
  const next = Array.from({ length: patients }, () => 0);
  for (let patient = 0; written.events < total; patient = (patient + 1) % patients) {
    const events: NewEvent[] = [];
    while (events.length < EVENTS_PER_APPEND && written.events + events.length < total) {
      const n = next[patient]++;
      const event =
        n === 0
          ? patientEnrolled(patient)
          : n % 100 === 0
            ? adverseEventReported(patient, n)
            : n % 10 === 0
              ? doseAdministered(patient, n)
              : labResultRecorded(patient, n, 50);
      events.push({ ...event, eventId: orderedUuid() });
    }
    written.events += events.length;
    yield { streamId: patientStream(patientId(patient)), events };
  }
}
