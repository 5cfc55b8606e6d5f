import type { BenchContext, Measurement, Scenario } from '../scenario';
import { serverProfiling } from '../support/cpu-profile';
import { ALERT_EVERY, assertEveryResultAccepted, coresText, LabLoad, LoadRound, round2 } from '../support/lab-load';
import { cpuSecondsOf } from '../support/process-cpu';
import { enrolPatients, headPosition, startProduct } from '../support/product';
import { median } from '../support/stats';

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
    const rounds: LoadRound[] = [];
    // CPU milliseconds the server's main thread (HTTP, validation, decisions, commits) spent per result accepted, each round.
    const mainThreadMs: (number | undefined)[] = [];
    try {
      bench.log(`server pid ${vigil.server.pid} up in ${vigil.server.startedInMs.toFixed(0)} ms; authorisation: ${vigil.auth}; enrolling ${patients} patients`);
      await enrolPatients(vigil.client, patients);
      const before = await headPosition(vigil.client);
      const load = new LabLoad(vigil.client.headers, patients);
      const pid = vigil.server.pid;
      const round = (seconds: number) => load.round([{ url: vigil.client.url, connections }], seconds, { server: pid });
      await round(warmup);
      for (let i = 0; i < httpRounds; i++) {
        const cpuBefore = cpuSecondsOf(pid, pid);
        const measured = await round(duration);
        const cpuAfter = cpuSecondsOf(pid, pid);
        rounds.push(measured);
        mainThreadMs.push(cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / measured.ok);
      }
      assertEveryResultAccepted(rounds);
      // Every acknowledged result must be in the store (alerts may add more events).
      const posted = rounds.reduce((sum, r) => sum + r.ok, 0);
      const appended = (await headPosition(vigil.client)) - before;
      if (appended < posted) throw new Error(`${posted} results acknowledged during measurement but only ${appended} events appended`);
      const mainText = (i: number) => `main thread ${mainThreadMs[i]?.toFixed(3) ?? '?'} CPU ms/result`;
      bench.log(`rounds: ${rounds.map((r, i) => `${Math.round(r.rate)}/s p99 ${r.p99.toFixed(1)} ms, ${coresText(r)}, ${mainText(i)}`).join('; ')}`);
    } finally {
      await vigil.server.stop();
    }
    const details: Record<string, unknown> = {
      connections,
      patients,
      secondsPerRound: duration,
      rounds: rounds.map((r, i) => ({
        rate: Math.round(r.rate),
        p50: round2(r.p50),
        p99: round2(r.p99),
        serverCores: r.serverCores.server && round2(r.serverCores.server),
        loadGeneratorCores: round2(r.loadCores),
        mainThreadCpuMsPerResult: thousandths(mainThreadMs[i]),
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

const thousandths = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.round(n * 1000) / 1000);
