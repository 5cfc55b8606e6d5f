import autocannon from 'autocannon';
import { cpuSecondsOf, ownCpuSeconds } from './process-cpu';
import { Latencies } from './stats';
import { labResultBody, patientId } from './trial-events';

/** One result in 50 falls below a safety threshold, so the load includes raising alerts. */
export const ALERT_EVERY = 50;

/** Where a share of the load goes: one API node and the connections it gets. */
export interface LoadTarget {
  url: string;
  connections: number;
}

/** One round of HTTP load, over every target at once. */
export interface LoadRound {
  /** CPU cores used meanwhile by each server process (by name), and by the load generator (this process). */
  serverCores: Record<string, number | undefined>;
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
 * Lab results posted to one deployment: the body mix of http-ingest (results rotating over the enrolled patients, one in
 * `ALERT_EVERY` alerting), from one counter however many API nodes share the connections.
 */
export class LabLoad {
  private next = 0;

  constructor(
    private readonly headers: Record<string, string>,
    private readonly patients: number,
  ) {}

  /**
   * Load for `seconds` over the targets at once (a load balancer's spread: each target its own connections), and the
   * CPU the processes in `processes` (name → pid) used meanwhile.
   */
  async round(
    targets: readonly LoadTarget[],
    seconds: number,
    processes: Record<string, number>,
    /** Groups of processes that come and go (PostgreSQL's backends of a deployment): their pids, asked at both ends. */
    groups: Record<string, () => Promise<number[] | undefined>> = {},
  ): Promise<LoadRound> {
    const before = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSecondsOf(pid)]));
    const groupsBefore = await groupCpu(groups);
    const own = ownCpuSeconds();
    const latencies = new Latencies();
    const refused: Record<string, number> = {};
    let ok = 0;
    const results = await Promise.all(
      targets.map(async (target) => {
        const instance = autocannon({
          url: target.url,
          connections: target.connections,
          duration: seconds,
          method: 'POST',
          headers: { ...this.headers, 'content-type': 'application/json' },
          requests: [{ setupRequest: (request: Record<string, unknown>) => ({ ...request, ...this.nextRequest() }) }],
        });
        instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
          if (status === 201) {
            ok++;
            latencies.add(ms);
          } else {
            refused[status] = (refused[status] ?? 0) + 1;
          }
        });
        return instance;
      }),
    );
    const elapsed = Math.max(...results.map((result) => result.duration));
    const errors = results.reduce((sum, result) => sum + result.errors, 0);
    if (latencies.count === 0) throw new Error(`no result was accepted (answers: ${JSON.stringify(refused)}, errors: ${errors})`);
    const serverCores: Record<string, number | undefined> = {};
    for (const [name, pid] of Object.entries(processes)) {
      const after = cpuSecondsOf(pid);
      const start = before[name];
      serverCores[name] = after !== undefined && start !== undefined ? (after - start) / elapsed : undefined;
    }
    const loadCores = (ownCpuSeconds() - own) / elapsed;
    const groupsAfter = await groupCpu(groups);
    for (const [name, after] of Object.entries(groupsAfter)) {
      const start = groupsBefore[name];
      if (!after || !start) {
        serverCores[name] = undefined;
        continue;
      }
      // A process that was not there at the start used all its CPU during the round; one gone by the end is missed.
      let used = 0;
      for (const [pid, seconds] of after) used += seconds - (start.get(pid) ?? 0);
      serverCores[name] = used / elapsed;
    }
    return {
      rate: ok / elapsed,
      p50: latencies.p50,
      p99: latencies.p99,
      ok,
      refused,
      errors,
      seconds: elapsed,
      serverCores,
      loadCores,
    };
  }

  private nextRequest(): { path: string; body: string } {
    const n = this.next++;
    return { path: `/patients/${patientId(n % this.patients)}/lab-results`, body: JSON.stringify(labResultBody(n, ALERT_EVERY)) };
  }
}

/** CPU seconds so far of each process of each group (pid → seconds), or undefined for a group whose pids are unknown. */
async function groupCpu(groups: Record<string, () => Promise<number[] | undefined>>): Promise<Record<string, Map<number, number> | undefined>> {
  const cpu: Record<string, Map<number, number> | undefined> = {};
  for (const [name, pids] of Object.entries(groups)) {
    const list = await pids();
    if (!list) {
      cpu[name] = undefined;
      continue;
    }
    const seconds = new Map<number, number>();
    for (const pid of list) {
      const used = cpuSecondsOf(pid);
      if (used !== undefined) seconds.set(pid, used);
    }
    cpu[name] = seconds;
  }
  return cpu;
}

/** CPU milliseconds the processes measured spent per result accepted (the load generator left out), when every one is known. */
export function cpuMsPerResult(round: LoadRound): number | undefined {
  const cores = Object.values(round.serverCores);
  if (cores.some((c) => c === undefined)) return undefined;
  return ((cores as number[]).reduce((a, b) => a + b, 0) / round.rate) * 1000;
}

/** Any answer but 201 fails the scenario: a refused result is not throughput. */
export function assertEveryResultAccepted(rounds: readonly LoadRound[]): void {
  const refused = rounds.find((r) => r.errors > 0 || Object.keys(r.refused).length > 0);
  if (refused) throw new Error(`the API did not accept every result: ${JSON.stringify(refused.refused)} non-201 answers, ${refused.errors} connection errors`);
}

/** Connections spread over `count` API nodes as evenly as a round-robin balancer would: 64 over 2 is 32 each. */
export function spreadConnections(connections: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.floor(connections / count) + (i < connections % count ? 1 : 0));
}

/** "server 0.95, autocannon 0.40" for a round's log line; `perResult` (CPU ms a result) where every process serving the load is measured. */
export function coresText(round: LoadRound, perResult?: number): string {
  const servers = Object.entries(round.serverCores).map(([name, cores]) => `${name} ${cores?.toFixed(2) ?? '?'}`);
  const perResultText = perResult === undefined ? '' : ` (${perResult.toFixed(1)} CPU ms a result)`;
  return `CPU cores: ${[...servers, `autocannon ${round.loadCores.toFixed(2)}`].join(', ')}${perResultText}`;
}

export const round2 = (n: number): number => Math.round(n * 100) / 100;
