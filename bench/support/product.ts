import type { BenchContext } from '../scenario';
import { authorisedClient, inParallel, VigilClient } from './http';
import { benchJwtSecret } from './token';
import { enrolmentBody } from './trial-events';
import { startVigil, VigilServer } from './vigil-server';

export interface RunningVigil {
  server: VigilServer;
  client: VigilClient;
  auth: string;
}

/**
 * Vigil as `npm start` runs it (dist/apps/vigil/…/main.js), in a child process, on a fresh data directory and on
 * the run's event store (`--store`; on PostgreSQL a schema of its own, the same one for the same data directory).
 */
export async function startProduct(
  bench: BenchContext,
  label: string,
  options: {
    dataDir?: string;
    nodeOptions?: string[];
    /** The store and roles instead of the run's store for this data directory: `{}` is the embedded SQLite Vigil. */
    productEnv?: Record<string, string>;
  } = {},
): Promise<RunningVigil> {
  const dataDir = options.dataDir ?? bench.freshDir(label);
  const server = await startVigil({
    dataDir,
    command: [process.execPath, ...(options.nodeOptions ?? []), bench.paths.serverMain],
    cwd: bench.paths.root,
    env: { VIGIL_JWT_SECRET: benchJwtSecret, NODE_ENV: 'production', ...(options.productEnv ?? bench.store.productEnv(dataDir)) },
  });
  try {
    const { client, auth } = await authorisedClient(server.url, bench.paths.benchDist);
    return { server, client, auth };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** Enrols patients 0..count-1 over HTTP. */
export async function enrolPatients(client: VigilClient, count: number, from = 0): Promise<void> {
  await inParallel(count, 16, async (i) => {
    await client.ok(client.post('/patients', enrolmentBody(from + i)), `enrolling patient ${from + i}`);
  });
}

/** The store's head position, as /health reports it. */
export async function headPosition(client: VigilClient): Promise<number> {
  const health = await client.ok(client.get<{ eventStore?: { headPosition?: number } }>('/health'), 'GET /health');
  const head = health.eventStore?.headPosition;
  if (typeof head !== 'number') throw new Error(`/health no longer reports eventStore.headPosition: ${JSON.stringify(health)}`);
  return head;
}
