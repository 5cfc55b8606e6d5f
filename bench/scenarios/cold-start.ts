import type { BenchContext, Measurement, Scenario } from '../scenario';
import { median, percentile } from '../support/stats';
import { startVigil } from '../support/vigil-server';

/**
 * From spawning the server on a fresh data directory to its first answered GET /health (polled every
 * 5 ms): `node dist/…/main.js`, what `npm start` runs once built; `npm start` itself (npm and the
 * prestart build check included) is timed too, as a detail.
 */
export const coldStart: Scenario = {
  name: 'cold-start',
  title: 'Cold start to first answer',
  figures: () => [{ key: 'startup', label: 'median, spawn → /health 200', unit: 'ms', target: { atMost: 3000, text: '≤ 3 s' } }],

  async run(bench: BenchContext): Promise<Measurement> {
    const node = await timeStarts(bench, [process.execPath, bench.paths.serverMain], bench.options.coldStarts);
    const npm = bench.options.npmStart ? await timeStarts(bench, ['npm', 'start', '--silent'], Math.min(3, bench.options.coldStarts)) : [];
    bench.log(`node main.js: ${node.map(Math.round).join(', ')} ms${npm.length ? `; npm start: ${npm.map(Math.round).join(', ')} ms` : ''}`);
    return {
      startup: {
        value: median(node),
        p50: median(node),
        p99: percentile(node, 99),
        details: {
          runs: node.length,
          samples: node.map(Math.round),
          ...(npm.length ? { npmStartMedianMs: Math.round(median(npm)), npmStartSamples: npm.map(Math.round) } : {}),
        },
      },
    };
  },
};

async function timeStarts(bench: BenchContext, command: string[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dataDir = bench.freshDir('cold-start');
    const server = await startVigil({ dataDir, command, cwd: bench.paths.root, pollMs: 5, env: bench.store.productEnv(dataDir) });
    times.push(server.startedInMs);
    await server.stop();
  }
  return times;
}
