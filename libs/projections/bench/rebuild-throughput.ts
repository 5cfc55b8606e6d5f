/**
 * Rebuild throughput and peak memory, each rebuild in a child process of its own measured by
 * /usr/bin/time -v (peak RSS of the whole process). Not a test: run with
 *   node -r ./scripts/register-ts.js libs/projections/bench/rebuild-throughput.ts [events] [batchSize]
 * The store (a trial's log, testing/trial-log.ts) is seeded once per size under $TMPDIR/vigil-rebuild-bench.
 * The child runs from libs/ transpiled by swc into that folder (as `npm run bench` does), so compiling
 * TypeScript on the fly counts neither in its time nor in its memory.
 * Scenarios: every read model into a fresh read-model file (first builds), then again beside those
 * live builds (blue/green), then each read model alone beside its live build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { transformFileSync } from '@swc/core';
import { createSqliteEventStore } from '@vigil/event-store';
import { writeTrialLog } from '../src/testing/trial-log';

const events = Number(process.argv[2] ?? 1_000_000);
const batchSize = Number(process.argv[3] ?? 5000);
const dir = join(tmpdir(), 'vigil-rebuild-bench');
const storeFile = join(dir, `events-${events}.sqlite`);

async function seed(): Promise<void> {
  if (existsSync(storeFile)) return;
  mkdirSync(dir, { recursive: true });
  const partial = `${storeFile}.partial`;
  rmSync(partial, { force: true });
  const store = await createSqliteEventStore({ file: partial });
  const started = Date.now();
  await writeTrialLog(store, { events, patients: Math.max(1, Math.min(2000, Math.round(events / 500))), perAppend: 100 }, (written) => {
    if (written % 100_000 < 100) process.stderr.write(`seeding ${written}/${events}\r`);
  });
  await store.close();
  renameSync(partial, storeFile);
  console.error(`seeded ${events} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const root = join(__dirname, '..', '..', '..');
const compiled = join(dir, 'js');

/** libs/ as JavaScript, the @vigil/* aliases rewritten to relative paths (what the child runs). */
function transpile(): void {
  rmSync(compiled, { recursive: true, force: true });
  const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
  const options = {
    ...swcrc,
    swcrc: false,
    sourceMaps: false,
    jsc: { ...swcrc.jsc, baseUrl: root, paths: compilerOptions.paths },
    module: { type: 'commonjs', ignoreDynamic: true },
  };
  const walk = (folder: string): string[] =>
    readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') && !/\.(spec|e2e-spec)\.ts$|\.d\.ts$/.test(entry.name) ? [path] : [];
    });
  for (const file of walk(join(root, 'libs'))) {
    const target = join(compiled, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, transformFileSync(file, { ...options, filename: file }).code);
  }
}

function measure(label: string, readModelFile: string, names: string[]): void {
  const child = join(compiled, 'libs/projections/bench/rebuild-child.js');
  const args = ['-v', process.execPath, child, storeFile, readModelFile, String(batchSize), ...names];
  // The transpiled tree lives outside the repository: its packages come from the repository's node_modules.
  const env = { ...process.env, NODE_PATH: join(root, 'node_modules') };
  const run = spawnSync('/usr/bin/time', args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env });
  if (run.status !== 0) throw new Error(`${label} failed (${run.status}):\n${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() as string);
  const figure = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(run.stderr)?.[1]);
  const peakKb = figure('Maximum resident set size \\(kbytes\\)');
  // CPU time too: on a machine shared with other work, events per CPU second moves less than the wall clock.
  const cpuSeconds = figure('User time \\(seconds\\)') + figure('System time \\(seconds\\)');
  console.log(JSON.stringify({ scenario: label, ...result, eventsPerCpuSecond: Math.round(result.events / cpuSeconds), peakRssMB: Math.round(peakKb / 1024) }));
}

async function main(): Promise<void> {
  await seed();
  transpile();
  console.log(`store: ${storeFile} (${events} events); batch size ${batchSize}`);
  const readModels = join(dir, `projections-${events}.sqlite`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${readModels}${suffix}`, { force: true });
  measure('all read models, first builds (fresh file)', readModels, []);
  measure('all read models, beside the live builds', readModels, []);
  measure('alert_list alone, beside its live build', readModels, ['alert_list']);
  measure('safety alone, beside its live build', readModels, ['safety']);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
