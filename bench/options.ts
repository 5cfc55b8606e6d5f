import { Command, InvalidArgumentError } from 'commander';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Sizes and switches of a run. Defaults are the sizes the targets are stated for (a million events rebuilt and verified); --smoke is tiny. */
export interface BenchOptions {
  scenarios: string[];
  /** The event store measured: the embedded SQLite one, or PostgreSQL at `postgresUrl`. */
  store: 'sqlite' | 'postgres';
  postgresUrl: string;
  smoke: boolean;
  /** Rounds of each in-process measurement; the figure is their median. */
  rounds: number;
  /** Rows per round of the raw SQLite loops (one row per transaction; ×10 for 100 rows per transaction). */
  limitRows: number;
  /** Appends per round, one at a time. */
  serialAppends: number;
  /** Appends per round, `inFlight` at a time. */
  concurrentAppends: number;
  inFlight: number;
  /** Patients enrolled before HTTP load; results rotate over them. */
  patients: number;
  connections: number;
  /** Seconds of each HTTP load round. */
  duration: number;
  httpRounds: number;
  /** Seconds of HTTP load before measuring (JIT, caches). */
  warmup: number;
  alertSamples: number;
  /** Events in the store the projection rebuild and the audit verification read. */
  events: number;
  /** Seconds one projection build may take before it is stopped and reported on what it got through. */
  rebuildBudget: number;
  replayEvents: number;
  replaySamples: number;
  coldStarts: number;
  /** Also time `npm start` (npm and prestart included) besides `node main.js`. */
  npmStart: boolean;
  dataDir: string;
  /** The server's entry point, when not what `npm start` runs. */
  server?: string;
  out: string;
  keepData: boolean;
  /** Write a V8 CPU profile of the server during HTTP ingest. */
  cpuProf: boolean;
  /** Exit non-zero when a measured figure misses its target (default: only when a scenario fails). */
  strict: boolean;
  list: boolean;
}

const defaults = {
  rounds: 5,
  limitRows: 2_000,
  serialAppends: 2_000,
  concurrentAppends: 20_000,
  inFlight: 64,
  patients: 300,
  connections: 64,
  duration: 5,
  httpRounds: 3,
  warmup: 2,
  alertSamples: 200,
  events: 1_000_000,
  rebuildBudget: 60,
  replayEvents: 10_000,
  replaySamples: 100,
  coldStarts: 5,
};

const smoke: typeof defaults = {
  rounds: 1,
  limitRows: 100,
  serialAppends: 100,
  concurrentAppends: 500,
  inFlight: 64,
  patients: 10,
  connections: 8,
  duration: 1,
  httpRounds: 1,
  warmup: 0.5,
  alertSamples: 5,
  events: 2_000,
  rebuildBudget: 60,
  replayEvents: 200,
  replaySamples: 5,
  coldStarts: 1,
};

/** The PostgreSQL the tests find when nothing else is configured (test/support/service-probe.js). */
const localPostgres = 'postgres://postgres@127.0.0.1:5432/test';

const storeKind = (value: string): BenchOptions['store'] => {
  if (value !== 'sqlite' && value !== 'postgres') throw new InvalidArgumentError('must be sqlite or postgres');
  return value;
};

const count = (value: string): number => {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
};

export function parseOptions(argv: string[], root: string, scenarioNames: string[]): BenchOptions {
  const program = new Command('npm run bench --')
    .description(`Vigil benchmarks. Scenarios: ${scenarioNames.join(', ')} (default: all)`)
    .argument('[scenarios...]', 'scenarios to run')
    .option('--store <kind>', 'event store measured: sqlite (embedded, default) or postgres', storeKind, 'sqlite')
    .option('--postgres-url <url>', `PostgreSQL for --store postgres (default $VIGIL_POSTGRES_URL, else ${localPostgres})`)
    .option('--smoke', 'tiny sizes: checks every scenario runs, asserts nothing about speed', false)
    .option('--rounds <n>', `rounds of each in-process measurement (default ${defaults.rounds})`, count)
    .option('--limit-rows <n>', `rows per round of the raw SQLite one-row-per-transaction loop (default ${defaults.limitRows})`, count)
    .option('--serial-appends <n>', `appends per round, one at a time (default ${defaults.serialAppends})`, count)
    .option('--concurrent-appends <n>', `appends per round, --in-flight at a time (default ${defaults.concurrentAppends})`, count)
    .option('--in-flight <n>', `appends in flight (default ${defaults.inFlight})`, count)
    .option('--patients <n>', `patients enrolled before HTTP load (default ${defaults.patients})`, count)
    .option('--connections <n>', `HTTP connections (default ${defaults.connections})`, count)
    .option('--duration <s>', `seconds per HTTP load round (default ${defaults.duration})`, count)
    .option('--http-rounds <n>', `HTTP load rounds (default ${defaults.httpRounds})`, count)
    .option('--warmup <s>', `seconds of HTTP load before measuring (default ${defaults.warmup})`, count)
    .option('--alert-samples <n>', `lab → alert round trips (default ${defaults.alertSamples})`, count)
    .option('--events <n>', `events in the store rebuilt and verified, the size their targets are stated for (default ${defaults.events})`, count)
    .option('--rebuild-budget <s>', `seconds a projection build may take before it is stopped (default ${defaults.rebuildBudget})`, count)
    .option('--replay-events <n>', `events of the replayed patient (default ${defaults.replayEvents})`, count)
    .option('--replay-samples <n>', `replays timed (default ${defaults.replaySamples})`, count)
    .option('--cold-starts <n>', `cold starts timed (default ${defaults.coldStarts})`, count)
    .option('--no-npm-start', 'time only `node main.js`, not also `npm start`')
    .option('--data-dir <dir>', 'where stores are created', tmpdir())
    .option('--server <main.js>', 'server entry point (default: dist/apps/vigil/apps/vigil/src/main.js, what `npm start` runs)')
    .option(
      '--out <file>',
      'results file, with its markdown beside it ' +
        '(default bench/results/latest.json, latest-postgres.json with --store postgres; --smoke: smoke.json, no markdown)',
    )
    .option('--keep-data', 'keep the stores created', false)
    .option(
      '--cpu-prof',
      'write a CPU profile of the server under HTTP load (http-ingest) or replaying (patient-replay) to dist/bench-profiles/ and summarise it',
      false,
    )
    .option('--strict', 'exit 1 when a measured figure misses its target', false)
    .option('--list', 'list the scenarios and exit', false)
    .showHelpAfterError()
    .parse(argv, { from: 'user' });

  const given = program.opts<Record<string, unknown>>();
  const sizes = given.smoke ? smoke : defaults;
  const pick = <K extends keyof typeof defaults>(key: K): number => (given[key] as number | undefined) ?? sizes[key];
  const unknown = program.args.filter((name) => !scenarioNames.includes(name));
  if (unknown.length > 0) program.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarioNames.join(', ')}`);
  const store = given.store as BenchOptions['store'];
  const results = given.smoke ? 'smoke' : 'latest';
  return {
    scenarios: program.args,
    store,
    postgresUrl: (given.postgresUrl as string | undefined) ?? (process.env.VIGIL_POSTGRES_URL?.trim() || localPostgres),
    smoke: Boolean(given.smoke),
    rounds: pick('rounds'),
    limitRows: pick('limitRows'),
    serialAppends: pick('serialAppends'),
    concurrentAppends: pick('concurrentAppends'),
    inFlight: pick('inFlight'),
    patients: pick('patients'),
    connections: pick('connections'),
    duration: pick('duration'),
    httpRounds: pick('httpRounds'),
    warmup: pick('warmup'),
    alertSamples: pick('alertSamples'),
    events: pick('events'),
    rebuildBudget: pick('rebuildBudget'),
    replayEvents: pick('replayEvents'),
    replaySamples: pick('replaySamples'),
    coldStarts: pick('coldStarts'),
    npmStart: Boolean(given.npmStart) && !given.smoke,
    dataDir: given.dataDir as string,
    server: given.server as string | undefined,
    out: (given.out as string | undefined) ?? join(root, 'bench', 'results', `${results}${store === 'postgres' ? '-postgres' : ''}.json`),
    keepData: Boolean(given.keepData),
    cpuProf: Boolean(given.cpuProf),
    strict: Boolean(given.strict),
    list: Boolean(given.list),
  };
}
