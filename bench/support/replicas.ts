import { Client } from 'pg';
import type { BenchContext } from '../scenario';
import { RunningVigil, startProduct } from './product';

/** A multi-node Vigil on the run's PostgreSQL: API replicas and one projector + notifier node, on one schema. */
export interface ReplicaDeployment {
  apis: RunningVigil[];
  worker: RunningVigil;
  /** Node name → pid, for the CPU each uses. */
  processes: Record<string, number>;
  /** Pid → node name, for the CPU profiles. */
  names: Record<number, string>;
  /** Each node's name, roles and pid, for the figure's details. */
  nodes: { name: string; roles: string; pid: number }[];
  auth: string;
  /**
   * Pids of the PostgreSQL backends serving the deployment's connections (by application_name), for their CPU from /proc;
   * undefined when PostgreSQL runs on another machine.
   */
  postgresBackends(): Promise<number[] | undefined>;
  describe(): string;
  /** Stops every node (SIGTERM, then SIGKILL); the schema is dropped with the run's (BenchStore.cleanup). */
  stop(): Promise<void>;
}

/**
 * Starts `apiReplicas` nodes with VIGIL_ROLES=api and one with VIGIL_ROLES=projector,notifier, as the drills do
 * (test/drills/support/cluster.ts): separate processes and data directories, one event schema (and its `_read` schema)
 * shared through the run's store, keyed by a data directory of the deployment's own. Every connection carries the
 * node's name as application_name, so pg_stat_activity tells the nodes apart. A node that fails to start stops the others.
 */
export async function startReplicas(bench: BenchContext, label: string, options: { apiReplicas: number; nodeOptions?: string[] }): Promise<ReplicaDeployment> {
  if (bench.store.kind !== 'postgres') throw new Error('API replicas share their events and read models through PostgreSQL: run with --store postgres');
  const shared = bench.store.productEnv(bench.freshDir(`${label}-schema`));
  const started: { name: string; roles: string; vigil: RunningVigil }[] = [];
  const appName = (name: string) => `${shared.VIGIL_POSTGRES_SCHEMA}-${name}`;
  // Its backends' CPU is read from /proc, so only where PostgreSQL runs on this machine.
  const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(new URL(bench.options.postgresUrl).hostname);
  let observer: Client | undefined;
  const stop = async () => {
    await Promise.all(started.map(({ vigil }) => vigil.server.stop()));
    await observer?.end().catch(() => undefined);
  };
  const node = async (name: string, roles: string): Promise<RunningVigil> => {
    const vigil = await startProduct(bench, `${label}-${name}`, {
      nodeOptions: options.nodeOptions,
      productEnv: { ...shared, VIGIL_ROLES: roles, PGAPPNAME: appName(name) },
    });
    started.push({ name, roles, vigil });
    return vigil;
  };
  try {
    // One after the other: nodes started together could be given the same free port (each port is picked by binding 0 and
    // closing it), and one node's /health would then answer for another that failed to listen.
    const apis: RunningVigil[] = [];
    for (let i = 1; i <= options.apiReplicas; i++) apis.push(await node(`api-${i}`, 'api'));
    const worker = await node('projector+notifier', 'projector,notifier');
    const nodes = started.map(({ name, roles, vigil }) => ({ name, roles, pid: vigil.server.pid }));
    if (local) {
      observer = new Client({ connectionString: bench.options.postgresUrl, application_name: 'vigil-bench-observer' });
      await observer.connect();
    }
    const postgresBackends = async (): Promise<number[] | undefined> => {
      if (!observer) return undefined;
      const { rows } = await observer.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE starts_with(application_name, $1)', [appName('')]);
      return rows.map((row) => row.pid);
    };
    return {
      apis,
      worker,
      processes: Object.fromEntries(nodes.map(({ name, pid }) => [name, pid])),
      names: Object.fromEntries(nodes.map(({ name, pid }) => [pid, name])),
      nodes,
      auth: apis[0].auth,
      postgresBackends,
      describe: () =>
        `${nodes.map((n) => `${n.name} (VIGIL_ROLES=${n.roles}) pid ${n.pid}`).join(', ')} on schema ${shared.VIGIL_POSTGRES_SCHEMA}, ` +
        `up in ${Math.max(...started.map(({ vigil }) => vigil.server.startedInMs)).toFixed(0)} ms at most`,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
