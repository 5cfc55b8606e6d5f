import { randomUUID } from 'node:crypto';
import { createEventStore, eventStoreConfigFromEnv, NewEvent, StoredEvent } from '@vigil/event-store';
import { patientStream } from '@vigil/domain';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { NotAvailableYet } from '../scenario';
import { serverProfiling } from '../support/cpu-profile';
import { cpuSecondsOf } from '../support/process-cpu';
import { isMissingRoute, VigilClient } from '../support/http';
import { enrolPatients, startProduct } from '../support/product';
import { thousands } from '../support/report';
import { Latencies, nowMs } from '../support/stats';
import { labResultBody, patientId } from '../support/trial-events';

const CHUNK = 500;
const SAMPLING_BUDGET_MS = 15_000;
const SETTLE_BUDGET_MS = 120_000;
const FULL_SAMPLES = 5;

/**
 * A patient's state as of a moment, folded from a long stream: a patient with `replayEvents`
 * events (lab results recorded through the API, then repeated straight into the store, shape for
 * shape, to save minutes), asked `GET /patients/:id/state?asOf=<now>` so every event is replayed:
 * the summary the endpoint answers by default. The server first judges and projects the events written
 * behind its back, as it would have while they arrived through the API: replays are timed once it is
 * idle (the wait is in the details). A few `view=full` answers are timed beside, for their size.
 */
export const patientReplay: Scenario = {
  name: 'patient-replay',
  title: 'Patient replay, state?asOf=',
  figures: (bench: BenchContext) => [
    { key: 'p99', label: `p99, ${thousands(bench.options.replayEvents)} events`, unit: 'ms', target: { atMost: 20, text: '≤ 20 ms (p99)' } },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const dataDir = bench.freshDir('patient-replay');
    const patient = patientId(0);
    const asOfNow = (client: VigilClient) => client.get(`/patients/${patient}/state?asOf=${encodeURIComponent(new Date().toISOString())}`);

    let template: StoredEvent;
    let first = await startProduct(bench, 'patient-replay', { dataDir });
    try {
      await enrolPatients(first.client, 1);
      await first.client.ok(first.client.post(`/patients/${patient}/lab-results`, labResultBody(0)), 'recording a lab result');
      const probe = await asOfNow(first.client);
      if (isMissingRoute(probe) || probe.status === 404)
        throw new NotAvailableYet(`GET /patients/:id/state?asOf= answers ${probe.status}: point-in-time replay is not served yet`);
      if (probe.status !== 200) throw new Error(`GET /patients/:id/state?asOf= answers ${probe.status} ${JSON.stringify(probe.body).slice(0, 200)}`);
      const events = await first.client.ok(first.client.get<StoredEvent[]>(`/patients/${patient}/events`), 'reading the stream');
      template = events[events.length - 1];
    } finally {
      await first.server.stop();
    }

    await lengthenStream({ VIGIL_DATA_DIR: dataDir, ...bench.store.productEnv(dataDir) }, patientStream(patient), template, bench.options.replayEvents);
    const profiling = serverProfiling(bench);
    first = await startProduct(bench, 'patient-replay', { dataDir, nodeOptions: profiling.nodeOptions });
    const details: Record<string, unknown> = { events: bench.options.replayEvents };
    try {
      details.settledMs = Math.round(await idle(first.server.pid));
      bench.log(`server idle after ${details.settledMs} ms (judging and projecting the events written into the store)`);
      const latencies = new Latencies();
      let coldMs = 0;
      const sampling = nowMs();
      const cpuBefore = cpuSecondsOf(first.server.pid);
      for (let i = 0; i <= bench.options.replaySamples; i++) {
        // A slow replay is not sampled for minutes: 20 samples or more, within 15 s, make the figure.
        if (i > 20 && nowMs() - sampling > SAMPLING_BUDGET_MS) break;
        const sent = nowMs();
        const answer = await asOfNow(first.client);
        const ms = nowMs() - sent;
        if (answer.status !== 200) throw new Error(`GET state?asOf= answered ${answer.status} after seeding`);
        if (i === 0) {
          coldMs = ms;
          details.answerBytes = JSON.stringify(answer.body).length;
        } else latencies.add(ms);
      }
      const cpuAfter = cpuSecondsOf(first.server.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) details.serverCores = (cpuAfter - cpuBefore) / ((nowMs() - sampling) / 1000);
      bench.log(
        `first (cold) ${coldMs.toFixed(1)} ms; then p50 ${latencies.p50.toFixed(1)} ms, p99 ${latencies.p99.toFixed(1)} ms ` +
          `(server busy ${((details.serverCores as number | undefined) ?? 0).toFixed(2)} cores while sampled)`,
      );
      const full = new Latencies();
      for (let i = 0; i < FULL_SAMPLES; i++) {
        const sent = nowMs();
        const answer = await first.client.get(`/patients/${patient}/state?view=full&asOf=${encodeURIComponent(new Date().toISOString())}`);
        if (answer.status !== 200) throw new Error(`GET state?view=full answered ${answer.status}`);
        full.add(nowMs() - sent);
        details.fullAnswerBytes = JSON.stringify(answer.body).length;
      }
      bench.log(`summary ${details.answerBytes} bytes; view=full ${details.fullAnswerBytes} bytes, p50 ${full.p50.toFixed(1)} ms`);
      Object.assign(details, { samples: latencies.count, coldMs, fullP50Ms: Math.round(full.p50) });
      return { p99: { value: latencies.p99, p50: latencies.p50, p99: latencies.p99, details } };
    } finally {
      await first.server.stop();
      profiling.collect(details);
    }
  },
};

/** Waits until the server uses under 5 % of a core for three half-seconds in a row (or the budget runs out); answers the wait in ms. */
async function idle(pid: number): Promise<number> {
  const started = nowMs();
  let before = cpuSecondsOf(pid);
  let quiet = 0;
  // Three quiet half-seconds in a row: the projector and the reactor poll, and may start after a pause.
  while (before !== undefined && quiet < 3 && nowMs() - started < SETTLE_BUDGET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const after = cpuSecondsOf(pid);
    if (after === undefined) break;
    quiet = after - before < 0.025 ? quiet + 1 : 0;
    before = after;
  }
  return nowMs() - started;
}

/** Appends copies of a lab result the API recorded until the stream holds `length` events, in the store `env` configures. */
async function lengthenStream(env: NodeJS.ProcessEnv, streamId: string, template: StoredEvent, length: number): Promise<void> {
  const store = await createEventStore(eventStoreConfigFromEnv(env));
  try {
    let version = await store.streamVersion(streamId);
    const { recordedAt: _recordedAt, commandId: _commandId, ...metadata } = template.metadata;
    while (version < length) {
      const events: NewEvent[] = [];
      for (let i = 0; i < Math.min(CHUNK, length - version); i++) {
        const body = labResultBody(version + i + 1);
        const data = { ...(template.data as Record<string, unknown>), value: body.value, collectedAt: body.collectedAt };
        events.push({
          type: template.type,
          schemaVersion: template.schemaVersion,
          data,
          metadata: { ...metadata, occurredAt: body.collectedAt, correlationId: randomUUID() },
        });
      }
      version = (await store.append(streamId, events, { expectedVersion: version })).version;
    }
  } finally {
    await store.close();
  }
}
