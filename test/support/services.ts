/**
 * Service discovery for tests that need a real engine (docs/architecture.md "Tests"): an environment URL first,
 * then a container where a Docker engine answers (testcontainers), then the local service, otherwise
 * a skip that says what is missing. A missing service is never a silently passing test.
 */
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export type ServiceName = 'postgres' | 'kafka' | 'eventstoredb';

/** A running service: its URL (Kafka: comma-separated brokers) and how to let it go. */
export interface FoundService {
  url: string;
  /** Where it came from, for the test log: `VIGIL_POSTGRES_URL=…`, `Docker engine at …`, `local service at …`. */
  source: string;
  stop(): Promise<void>;
}

export interface MissingService {
  skip: string;
}

type Probe = { source: 'env' | 'docker' | 'local'; url?: string; detail: string } | MissingService;

export interface ServiceFinder {
  (): Promise<FoundService | MissingService>;
  readonly service: ServiceName;
}

// service-probe.js is plain JavaScript (it also runs in a child process without TypeScript), so it has no types to import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { probe } = require('./service-probe.js') as { probe: (name: ServiceName) => Promise<Probe> };

export const findPostgres = finder('postgres');
export const findKafka = finder('kafka');
export const findEventStoreDb = finder('eventstoredb');

/**
 * `describe` when the service can be had, `describe.skip` (with a warning naming what is missing)
 * when it cannot. The service starts in `beforeAll` and stops in `afterAll`; read `service.url`
 * inside hooks and tests, not at describe time.
 */
export function describeWithService(name: string, find: ServiceFinder, body: (service: { readonly url: string }) => void): void {
  const found = probeNow(find.service);
  if ('skip' in found) {
    const banner = `SKIPPED "${name}": ${find.service} unavailable: ${found.skip}`;
    console.warn(`\n⚠️  ${banner}\n`);
    describe.skip(`${name} [SKIPPED: ${find.service} unavailable]`, () => body({ url: '' }));
    return;
  }
  describe(name, () => {
    let running: FoundService | undefined;
    const service = {
      get url(): string {
        if (!running) throw new Error(`${find.service} has not started (read service.url inside a hook or test)`);
        return running.url;
      },
    };
    beforeAll(async () => {
      running = await start(find.service, found);
      console.info(`${name}: using ${find.service} from ${running.source}`);
    }, 180_000);
    afterAll(async () => {
      await running?.stop();
    }, 60_000);
    body(service);
  });
}

function finder(service: ServiceName): ServiceFinder {
  const find = async () => {
    const found = await probe(service);
    return 'skip' in found ? found : start(service, found);
  };
  return Object.assign(find, { service });
}

/** The probe, synchronously: jest decides describe or describe.skip before any hook runs. */
function probeNow(service: ServiceName): Probe {
  const result = spawnSync(process.execPath, [join(__dirname, 'service-probe.js'), service], {
    encoding: 'utf8',
    timeout: 15_000,
    env: process.env,
  });
  if (result.status !== 0 || !result.stdout) {
    return { skip: `the service probe failed (${result.error?.message ?? result.stderr.trim() ?? `exit ${result.status}`})` };
  }
  return JSON.parse(result.stdout) as Probe;
}

async function start(service: ServiceName, found: Exclude<Probe, MissingService>): Promise<FoundService> {
  if (found.source !== 'docker') return { url: found.url!, source: found.detail, stop: async () => undefined };
  const started = await startContainer[service]();
  return { ...started, source: `${found.detail} (testcontainers)` };
}

const startContainer: Record<ServiceName, () => Promise<{ url: string; stop(): Promise<void> }>> = {
  async postgres() {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:16-alpine').start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  },

  async kafka() {
    const { GenericContainer, Wait } = await import('testcontainers');
    // The broker must advertise the address clients reach it by, known before it starts: bind a free host port.
    const port = await freePort();
    const host = dockerHostName();
    const container = await new GenericContainer('apache/kafka:3.9.1')
      .withExposedPorts({ container: 9092, host: port })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${host}:${port}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start();
    return { url: `${host}:${port}`, stop: async () => void (await container.stop()) };
  },

  async eventstoredb() {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('eventstore/eventstore:24.10')
      .withExposedPorts(2113)
      .withEnvironment({
        EVENTSTORE_CLUSTER_SIZE: '1',
        EVENTSTORE_INSECURE: 'true',
        EVENTSTORE_MEM_DB: 'true',
        EVENTSTORE_RUN_PROJECTIONS: 'None',
      })
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .start();
    return {
      url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
      stop: async () => void (await container.stop()),
    };
  },
};

function dockerHostName(): string {
  const dockerHost = process.env.DOCKER_HOST;
  return dockerHost?.startsWith('tcp://') ? new URL(dockerHost.replace(/^tcp:/, 'http:')).hostname : 'localhost';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
