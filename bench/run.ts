import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseOptions } from './options';
import { BenchContext, Measurement, NotAvailableYet, ResultRow, rowFor, Scenario, unmeasuredRow } from './scenario';
import { scenarios as scenarioNames, scenariosFor } from './scenarios';
import { benchStore, BenchStore } from './support/stores';
import { describeMachine } from './support/machine';
import { markdown, textTable, writeResults } from './support/report';
import { killAllServers, stopAllServers } from './support/vigil-server';
import { MACHINE_LIMIT } from './scenarios/machine-limit';

/** `npm run bench -- [scenarios...] [--smoke] [--events 1000000] …`: runs the scenarios, prints and writes one table. */
async function main(): Promise<number> {
  // This file runs as dist/bench/bench/run.js.
  const root = resolve(__dirname, '..', '..', '..');
  if (!existsSync(join(root, 'package.json'))) throw new Error(`expected the repository root at ${root}`);
  const options = parseOptions(
    process.argv.slice(2),
    root,
    scenarioNames.map((s) => s.name),
  );
  const scenarios = scenariosFor(options.store);
  const elsewhere = options.scenarios.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (elsewhere.length > 0) {
    const only = (name: string) => scenarioNames.find((scenario) => scenario.name === name)?.onlyOnStore;
    throw new Error(`${elsewhere.map((name) => `${name} runs only with --store ${only(name)}`).join('; ')}`);
  }
  if (options.list) {
    for (const scenario of scenarios) console.log(`${scenario.name.padEnd(26)} ${scenario.title}`);
    return 0;
  }

  const paths = {
    root,
    benchDist: join(root, 'dist', 'bench'),
    serverMain: options.server ? resolve(options.server) : join(root, 'dist', 'apps', 'vigil', 'apps', 'vigil', 'src', 'main.js'),
  };
  mkdirSync(options.dataDir, { recursive: true });
  const dataRoot = mkdtempSync(join(options.dataDir, 'vigil-bench-'));
  const selected = withNeeds(scenarios, options.scenarios.length ? options.scenarios : scenarios.map((s) => s.name));
  const measurements = new Map<string, Measurement>();
  const sharedValues = new Map<string, Promise<unknown>>();
  let dirs = 0;
  let current = '';
  const runStarted = Date.now();
  let store: BenchStore | undefined;
  const bench: BenchContext = {
    options,
    paths,
    get store(): BenchStore {
      return (store ??= benchStore(bench));
    },
    freshDir(label) {
      const dir = join(dataRoot, `${String(++dirs).padStart(3, '0')}-${label}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    measured(name) {
      const measurement = measurements.get(name);
      if (!measurement) throw new Error(`${current} needs ${name}, which was not measured in this run`);
      return measurement;
    },
    shared<T>(key: string, make: () => Promise<T>): Promise<T> {
      if (!sharedValues.has(key)) sharedValues.set(key, make());
      return sharedValues.get(key) as Promise<T>;
    },
    log(message) {
      console.error(`  [${((Date.now() - runStarted) / 1000).toFixed(1).padStart(6)} s] ${current}: ${message}`);
    },
  };

  // Interrupted: servers run in their own process groups, so they are stopped here, with the data (and schemas).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllServers();
      if (!options.keepData) rmSync(dataRoot, { recursive: true, force: true });
      void bench.store
        .cleanup()
        .catch(() => undefined)
        .finally(() => process.exit(130));
    });
  }

  const measuredAt = new Date().toISOString();
  const machine = describeMachine(dataRoot);
  console.error(
    `Vigil benchmarks${options.smoke ? ' (smoke: tiny sizes, speed not judged)' : ''} on ${options.store}: ${selected.map((s) => s.name).join(', ')}`,
  );
  console.error(`  ${machine.cores} × ${machine.cpu}, Node ${machine.node}, data in ${dataRoot} (${machine.fileSystem}), load average ${machine.loadAverage}`);
  const rows: ResultRow[] = [];
  let failures = 0;
  try {
    for (const scenario of selected) {
      current = scenario.name;
      const started = Date.now();
      console.error(`▶ ${scenario.name}: ${scenario.title}`);
      const outcome = await measure(scenario, bench, measuredAt);
      if (outcome.measurement) measurements.set(scenario.name, outcome.measurement);
      if (outcome.failed) failures++;
      // A smoke run's sizes are too small to judge speed: it only shows that every scenario runs.
      rows.push(...outcome.rows.map((row) => (options.smoke && row.status === 'measured' ? { ...row, met: null, smoke: true } : row)));
      console.error(`  ${outcome.rows[0]?.status ?? 'done'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await stopAllServers();
    await bench.store.cleanup().catch((error: unknown) => console.error(`  could not remove the run's PostgreSQL schemas: ${String(error)}`));
    if (!options.keepData) rmSync(dataRoot, { recursive: true, force: true });
    else console.error(`Data kept in ${dataRoot}`);
  }

  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log('');
  console.log(textTable(rows));
  // A smoke run's table is no figure for the README: JSON only.
  const md = options.smoke ? null : markdown(rows, machine, measuredAt, command, Math.round(loadavg()[0] * 100) / 100, bench.store.limitText);
  const written = writeResults(options.out, rows, md);
  console.log(`\nWritten ${written.map((file) => relative(process.cwd(), file)).join(' and ')} (${((Date.now() - runStarted) / 1000).toFixed(0)} s).`);
  const missed = rows.filter((row) => row.status === 'measured' && row.met === false).length;
  if (failures > 0) console.error(`${failures} scenario(s) failed.`);
  return failures > 0 || (options.strict && !options.smoke && missed > 0) ? 1 : 0;
}

/** The scenarios asked for, with the ones they need (and always the machine limit), in registry order. */
function withNeeds(scenarios: readonly Scenario[], names: string[]): Scenario[] {
  const wanted = new Set<string>([MACHINE_LIMIT, ...names]);
  let grown = true;
  while (grown) {
    grown = false;
    for (const scenario of scenarios) {
      if (!wanted.has(scenario.name)) continue;
      for (const need of scenario.needs ?? []) {
        if (wanted.has(need)) continue;
        wanted.add(need);
        grown = true;
      }
    }
  }
  return scenarios.filter((scenario) => wanted.has(scenario.name));
}

async function measure(
  scenario: Scenario,
  bench: BenchContext,
  measuredAt: string,
): Promise<{ rows: ResultRow[]; measurement?: Measurement; failed: boolean }> {
  let specs;
  try {
    specs = scenario.figures(bench);
  } catch (error) {
    const reason = `cannot state its targets: ${(error as Error).message}`;
    return { rows: [unmeasuredRow(scenario, { key: '', label: '', unit: '' }, 'failed', reason, measuredAt)], failed: true };
  }
  try {
    const measurement = await scenario.run(bench);
    const rows = specs.map((spec) => {
      const measured = measurement[spec.key];
      if (!measured) throw new Error(`reported no figure "${spec.key}"`);
      return rowFor(scenario, spec, measured, measuredAt);
    });
    return { rows, measurement, failed: false };
  } catch (error) {
    if (error instanceof NotAvailableYet) {
      bench.log(`not available yet: ${error.reason}`);
      return { rows: specs.map((spec) => unmeasuredRow(scenario, spec, 'not available yet', error.reason, measuredAt)), failed: false };
    }
    console.error(`  ✖ ${scenario.name} failed:`, error);
    const reason = error instanceof Error ? error.message : String(error);
    return { rows: specs.map((spec) => unmeasuredRow(scenario, spec, 'failed', reason, measuredAt)), failed: true };
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
