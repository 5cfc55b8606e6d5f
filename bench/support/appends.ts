import { v7 as timeOrderedUuid } from 'uuid';
import { EventStore, NewEvent } from '@vigil/event-store';
import { patientStream } from '@vigil/domain';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { MACHINE_LIMIT } from '../scenarios/machine-limit';
import { percent as formatPercent, thousands } from './report';
import { Latencies, median, nowMs } from './stats';
import { labResultRecorded, patientEnrolled, patientId } from './trial-events';

/** A fresh event store of the run's kind (`--store`; SQLite is what `npm start` uses) with `patients` patients enrolled. */
export async function storeWithPatients(bench: BenchContext, patients: number): Promise<{ store: EventStore; versions: number[] }> {
  const store = await bench.store.open('store');
  await Promise.all(
    Array.from({ length: patients }, (_, p) => store.append(patientStream(patientId(p)), [patientEnrolled(p)], { expectedVersion: 'no_stream' })),
  );
  return { store, versions: Array.from({ length: patients }, () => 1) };
}

/**
 * One round of appends, one lab result event per command, `inFlight` commands at a time. Worker w
 * owns patients w, w + inFlight, …, so appends never race on a stream; each append states the
 * version it expects, as the command handler does, and has a time-ordered command id, as a request
 * without an Idempotency-Key gets (libs/api request-context.ts). Returns appends per second.
 */
export async function appendRound(store: EventStore, versions: number[], appends: number, inFlight: number, latencies: Latencies): Promise<number> {
  const patients = versions.length;
  const planned: { patient: number; event: NewEvent; commandId: string }[][] = Array.from({ length: inFlight }, () => []);
  for (let i = 0; i < appends; i++) {
    const worker = i % inFlight;
    const owned = Math.max(1, Math.floor((patients - worker + inFlight - 1) / inFlight));
    const patient = worker + inFlight * (Math.floor(i / inFlight) % owned);
    planned[worker].push({ patient, event: labResultRecorded(patient, i), commandId: timeOrderedUuid() });
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

/** How a store-append scenario runs and what it is held against. */
export interface AppendScenario {
  name: string;
  title: string;
  /** Appends in flight at a time (1: one at a time). */
  inFlight: (bench: BenchContext) => number;
  appendsPerRound: (bench: BenchContext) => number;
  /** Patients enrolled before each round. */
  patients: (bench: BenchContext) => number;
  /** The raw loop it is compared with, measured between its rounds: rows per transaction. */
  rawRowsPerTx: 1 | 100;
  /** The share of that raw rate to reach. */
  share: number;
}

/**
 * A store-append scenario: rounds of appends on a fresh store, each followed by a raw round, so the
 * target is a share of the machine's rate at that very moment, not of the machine-limit row measured a
 * minute earlier (a busy disk moves both). The machine-limit row is reported beside it.
 */
export function appendScenario(spec: AppendScenario): Scenario {
  const limitOf = (bench: BenchContext) => bench.measured(MACHINE_LIMIT)[spec.rawRowsPerTx === 1 ? 'oneRowPerTx' : 'hundredRowsPerTx'].value;
  const raw = spec.rawRowsPerTx === 1 ? '1 row/tx' : '100 rows/tx';
  const share = formatPercent(spec.share);
  const inFlightText = (bench: BenchContext) => (spec.inFlight(bench) === 1 ? '1 at a time' : `${spec.inFlight(bench)} in flight`);
  return {
    name: spec.name,
    title: spec.title,
    needs: [MACHINE_LIMIT],
    figures: (bench: BenchContext) => [
      {
        key: 'throughput',
        label: spec.inFlight(bench) === 1 ? 'appends/s' : `appends/s, ${spec.inFlight(bench)} in flight`,
        unit: 'events/s',
        target: { atLeast: spec.share * limitOf(bench), text: `≥ ${share} of ${raw} = ${thousands(spec.share * limitOf(bench))}/s` },
      },
    ],

    async run(bench: BenchContext): Promise<Measurement> {
      const limit = limitOf(bench);
      const inFlight = spec.inFlight(bench);
      const appends = spec.appendsPerRound(bench);
      const rates: number[] = [];
      const paired: number[] = [];
      const latencies = new Latencies();
      for (let round = 0; round < bench.options.rounds; round++) {
        const { store, versions } = await storeWithPatients(bench, spec.patients(bench));
        try {
          rates.push(await appendRound(store, versions, appends, inFlight, latencies));
        } finally {
          await store.close();
        }
        paired.push(await bench.store.raw(appends, spec.rawRowsPerTx));
      }
      bench.log(
        `store, ${inFlightText(bench)}: ${rates.map(Math.round).join(', ')} events/s; raw ${raw} between them: ${paired.map(Math.round).join(', ')} rows/s`,
      );
      const value = median(rates);
      const pairedLimit = median(paired);
      return {
        throughput: {
          value,
          target: { atLeast: spec.share * pairedLimit, text: `≥ ${share} of raw ${raw} beside it = ${thousands(spec.share * pairedLimit)}/s` },
          p50: latencies.p50,
          p99: latencies.p99,
          details: {
            note:
              `${formatPercent(value / pairedLimit)} of the raw rate measured between its own rounds (${thousands(pairedLimit)}/s), ` +
              `${formatPercent(value / limit)} of the machine-limit row`,
            ofPairedLimit: value / pairedLimit,
            pairedLimit,
            ofLimit: value / limit,
            limit,
            inFlight,
            appendsPerRound: appends,
            rounds: rates.length,
            samples: rates.map(Math.round),
          },
        },
      };
    },
  };
}
