import type { BenchContext, Measurement, Scenario } from '../scenario';
import { NotAvailableYet } from '../scenario';
import { isMissingRoute, VigilClient } from '../support/http';
import { enrolPatients, startProduct } from '../support/product';
import { Latencies, nowMs } from '../support/stats';
import { alertingLabBody, patientId } from '../support/trial-events';

const WARMUP = 5;
const GIVE_UP_MS = 5_000;

/**
 * How soon a safety signal can be seen: from sending a lab result below a threshold to the first
 * GET /alerts that lists its alert, asked every millisecond or so. One patient per sample, one
 * sample at a time, on an otherwise idle server.
 */
export const alertLatency: Scenario = {
  name: 'alert-latency',
  title: 'Lab POST → alert in GET /alerts',
  figures: () => [{ key: 'p99', label: 'p99, POST sent → alert listed', unit: 'ms', target: { atMost: 50, text: 'p99 ≤ 50 ms' } }],

  async run(bench: BenchContext): Promise<Measurement> {
    const vigil = await startProduct(bench, 'alert-latency');
    try {
      const probe = await vigil.client.get('/alerts');
      if (isMissingRoute(probe) || probe.status === 404) throw new NotAvailableYet(`GET /alerts answers ${probe.status}: the alert list is not served yet`);
      if (probe.status !== 200) throw new Error(`GET /alerts answers ${probe.status} ${JSON.stringify(probe.body).slice(0, 200)}`);
      const samples = bench.options.alertSamples;
      await enrolPatients(vigil.client, WARMUP + samples);
      const latencies = new Latencies();
      for (let i = 0; i < WARMUP + samples; i++) {
        const ms = await timeToAlert(vigil.client, i);
        if (i >= WARMUP) latencies.add(ms);
      }
      bench.log(`${samples} alerts: p50 ${latencies.p50.toFixed(1)} ms, p99 ${latencies.p99.toFixed(1)} ms, max ${latencies.max.toFixed(1)} ms`);
      return { p99: { value: latencies.p99, p50: latencies.p50, p99: latencies.p99, details: { samples, maxMs: latencies.max, auth: vigil.auth } } };
    } finally {
      await vigil.server.stop();
    }
  },
};

async function timeToAlert(client: VigilClient, n: number): Promise<number> {
  const patient = patientId(n);
  const sent = nowMs();
  const recorded = await client.ok(
    client.post<{ eventId: string }>(`/patients/${patient}/lab-results`, alertingLabBody(n)),
    `posting an alerting result for ${patient}`,
  );
  for (;;) {
    const answer = await client.ok(client.get(`/alerts?patientId=${encodeURIComponent(patient)}`), 'GET /alerts');
    if (alertsIn(answer).some((alert) => alert.triggeredBy === recorded.eventId || alert.patientId === patient)) return nowMs() - sent;
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (nowMs() - sent > GIVE_UP_MS) {
      throw new Error(
        `no alert for ${patient} (lab event ${recorded.eventId}) in GET /alerts after ${GIVE_UP_MS} ms; last answer: ${JSON.stringify(answer).slice(0, 300)}`,
      );
    }
  }
}

/** The alerts of a GET /alerts answer: the array itself, or the first array it holds ({items: […]}, {alerts: […]}). */
function alertsIn(body: unknown): { triggeredBy?: string; patientId?: string }[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const list = Object.values(body).find(Array.isArray);
    if (list) return list;
  }
  throw new Error(`GET /alerts answered neither a list nor an object holding one: ${JSON.stringify(body).slice(0, 200)}`);
}
