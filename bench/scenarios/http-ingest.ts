import autocannon from 'autocannon';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { serverProfiling } from '../support/cpu-profile';
import { cpuSecondsOf, ownCpuSeconds } from '../support/process-cpu';
import { enrolPatients, headPosition, startProduct } from '../support/product';
import { Latencies, median } from '../support/stats';
import { labResultBody, patientId } from '../support/trial-events';

/** One result in 50 falls below a safety threshold, so the load includes raising alerts. */
const ALERT_EVERY = 50;

interface Round {
  /** CPU cores used meanwhile by the server and by the load generator (this process). */
  serverCores?: number;
  loadCores: number;
  rate: number;
  p50: number;
  p99: number;
  ok: number;
  refused: Record<string, number>;
  errors: number;
  seconds: number;
}

/**
 * Lab results posted over HTTP to the whole embedded Vigil (validation, authorisation when it
 * exists, decide, durable append, projections), by autocannon in this process against the server
 * in a child process. Results rotate over the enrolled patients so no stream is hot.
 * Any answer but 201 fails the scenario: a refused result is not throughput.
 */
export const httpIngest: Scenario = {
  name: 'http-ingest',
  title: 'HTTP ingest of lab results',
  figures: (bench: BenchContext) => [
    {
      key: 'throughput',
      label: `results/s, ${bench.options.connections} connections`,
      unit: 'results/s',
      target: { atLeast: 4000, text: '≥ 4 000 results/s' },
    },
    { key: 'p99', label: `p99 latency, ${bench.options.connections} connections`, unit: 'ms', target: { atMost: 40, text: '≤ 40 ms' } },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    const { patients, connections, duration, httpRounds, warmup } = bench.options;
    const profiling = serverProfiling(bench);
    const vigil = await startProduct(bench, 'http-ingest', { nodeOptions: profiling.nodeOptions });
    const rounds: Round[] = [];
    try {
      bench.log(`server pid ${vigil.server.pid} up in ${vigil.server.startedInMs.toFixed(0)} ms; authorisation: ${vigil.auth}; enrolling ${patients} patients`);
      await enrolPatients(vigil.client, patients);
      const before = await headPosition(vigil.client);
      let next = 0;
      const load = async (seconds: number): Promise<Round> => {
        const server = cpuSecondsOf(vigil.server.pid);
        const own = ownCpuSeconds();
        const round = await postLabResults(vigil.client.url, vigil.client.headers, connections, seconds, () => {
          const n = next++;
          return { path: `/patients/${patientId(n % patients)}/lab-results`, body: JSON.stringify(labResultBody(n, ALERT_EVERY)) };
        });
        const serverAfter = cpuSecondsOf(vigil.server.pid);
        round.loadCores = (ownCpuSeconds() - own) / round.seconds;
        if (server !== undefined && serverAfter !== undefined) round.serverCores = (serverAfter - server) / round.seconds;
        return round;
      };
      await load(warmup);
      for (let round = 0; round < httpRounds; round++) rounds.push(await load(duration));
      const posted = rounds.reduce((sum, r) => sum + r.ok, 0);
      const refused = rounds.find((r) => r.errors > 0 || Object.keys(r.refused).length > 0);
      if (refused)
        throw new Error(`the API did not accept every result: ${JSON.stringify(refused.refused)} non-201 answers, ${refused.errors} connection errors`);
      // Every acknowledged result must be in the store (alerts may add more events).
      const appended = (await headPosition(vigil.client)) - before;
      if (appended < posted) throw new Error(`${posted} results acknowledged during measurement but only ${appended} events appended`);
      const cores = (r: Round) => `CPU cores: server ${r.serverCores?.toFixed(2) ?? '?'}, autocannon ${r.loadCores.toFixed(2)}`;
      bench.log(`rounds: ${rounds.map((r) => `${Math.round(r.rate)}/s p99 ${r.p99.toFixed(1)} ms, ${cores(r)}`).join('; ')}`);
    } finally {
      await vigil.server.stop();
    }
    const details: Record<string, unknown> = {
      connections,
      patients,
      secondsPerRound: duration,
      rounds: rounds.map((r) => ({
        rate: Math.round(r.rate),
        p50: round2(r.p50),
        p99: round2(r.p99),
        serverCores: r.serverCores && round2(r.serverCores),
        loadGeneratorCores: round2(r.loadCores),
      })),
      auth: vigil.auth,
      alertEvery: ALERT_EVERY,
    };
    profiling.collect(details);
    return {
      throughput: { value: median(rounds.map((r) => r.rate)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)), details },
      p99: { value: median(rounds.map((r) => r.p99)), p50: median(rounds.map((r) => r.p50)), p99: median(rounds.map((r) => r.p99)), details: { connections } },
    };
  },
};

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One autocannon run: requests/s answered 201, and the latencies (ms) of those answers. */
async function postLabResults(
  url: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
  nextRequest: () => { path: string; body: string },
): Promise<Round> {
  const latencies = new Latencies();
  const refused: Record<string, number> = {};
  let ok = 0;
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, ...nextRequest() }) }],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status === 201) {
      ok++;
      latencies.add(ms);
    } else {
      refused[status] = (refused[status] ?? 0) + 1;
    }
  });
  const result = await instance;
  if (latencies.count === 0) throw new Error(`no result was accepted (answers: ${JSON.stringify(refused)}, errors: ${result.errors})`);
  return { rate: ok / result.duration, p50: latencies.p50, p99: latencies.p99, ok, refused, errors: result.errors, seconds: result.duration, loadCores: 0 };
}
