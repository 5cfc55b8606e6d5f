import { join } from 'node:path';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { NotAvailableYet } from '../scenario';
import { runChild } from '../support/child';
import { onSqliteOnly, sharedDataset } from '../support/dataset';
import { thousands } from '../support/report';
import { median } from '../support/stats';

type Probe = { available: boolean; reason?: string };
interface Progress {
  done: boolean;
  position: number;
  head: number;
  ms: number;
  peakRssMB: number;
}

/**
 * Every projection rebuilt from the whole log into a fresh read-model database, in a process of its
 * own. A first build over the seeded log raises the alerts its results call for (appending them, as
 * the running system would have) and is not the figure; the rebuilds after it are. Each build gets
 * `--rebuild-budget` seconds; one stopped there is reported on the events it got through.
 */
export const projectionRebuild: Scenario = {
  name: 'projection-rebuild',
  title: 'Projection rebuild',
  figures: (bench: BenchContext) => [
    {
      key: 'throughput',
      label: `events/s, ${thousands(bench.options.events)} events`,
      unit: 'events/s',
      target: { atLeast: 150_000, text: '≥ 150 000 events/s (of 1 000 000)' },
    },
    { key: 'peakRss', label: `peak RSS, ${thousands(bench.options.events)} events`, unit: 'MB', target: { atMost: 300, text: '≤ 300 MB (for 1 000 000)' } },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    if (bench.store.kind === 'postgres') throw new NotAvailableYet(onSqliteOnly);
    const probe = await runChild<Probe>(bench, 'projection-rebuild', ['--probe']);
    if (!probe.last.available) throw new NotAvailableYet(probe.last.reason ?? 'no rebuild');
    const dataset = await sharedDataset(bench, bench.options.events);
    const budgetMs = bench.options.rebuildBudget * 1000;
    const build = async () => {
      const { last, stopped } = await runChild<Progress>(
        bench,
        'projection-rebuild',
        [dataset.file, join(bench.freshDir('read-models'), 'projections.sqlite')],
        budgetMs,
      );
      return { ...last, rate: last.position / (last.ms / 1000), stopped: stopped || !last.done };
    };

    const first = await build();
    const stoppedAt = (b: typeof first) => `stopped after ${bench.options.rebuildBudget} s at event ${thousands(b.position)} of ${thousands(b.head)}`;
    const note = (b: typeof first) =>
      b === first
        ? `the first build (it raises the alerts) was ${stoppedAt(b)}, so no rebuild could be timed: the figures are that build's`
        : `a rebuild was ${stoppedAt(b)}: its figure is the rate so far`;
    bench.log(
      `first build (raises the alerts): ${thousands(first.position)} of ${thousands(first.head)} events ` +
        `in ${(first.ms / 1000).toFixed(1)} s (${Math.round(first.rate)}/s)${first.stopped ? ', stopped at its budget' : ''}`,
    );
    // When the first build cannot finish, no true rebuild can be timed: its rate so far is the figure.
    const rounds: (typeof first)[] = [];
    for (let round = 0; !first.stopped && round < Math.min(bench.options.rounds, 3); round++) {
      const rebuilt = await build();
      rounds.push(rebuilt);
      bench.log(
        `rebuild: ${thousands(rebuilt.position)} events in ${(rebuilt.ms / 1000).toFixed(1)} s (${Math.round(rebuilt.rate)}/s), ` +
          `peak RSS ${Math.round(rebuilt.peakRssMB)} MB${rebuilt.stopped ? ', stopped at its budget' : ''}`,
      );
      if (rebuilt.stopped) break;
    }
    const measured = rounds.length > 0 ? rounds : [first];
    const details = {
      events: first.head,
      alertsRaised: first.head - dataset.events,
      measuredOn: rounds.length > 0 ? 'rebuilds after a first build' : 'the first build (raising alerts): it did not finish, so no rebuild was timed',
      ...(measured.some((b) => b.stopped) ? { note: note(measured.find((b) => b.stopped) as typeof first) } : {}),
      firstBuild: { events: first.position, seconds: Math.round(first.ms) / 1000, stopped: first.stopped },
    };
    return {
      throughput: { value: median(measured.map((b) => b.rate)), details: { ...details, samples: measured.map((b) => Math.round(b.rate)) } },
      peakRss: { value: Math.max(...measured.map((b) => b.peakRssMB)), details: { ...details, samples: measured.map((b) => Math.round(b.peakRssMB)) } },
    };
  },
};
