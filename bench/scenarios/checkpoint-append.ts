import { join } from 'node:path';
import { Checkpointer, loadSigningKey } from '@vigil/audit';
import type { CheckpointLog } from '@vigil/event-store';
import type { BenchContext, Measurement, Scenario } from '../scenario';
import { appendRound, storeWithPatients } from '../support/appends';
import { percent, thousands } from '../support/report';
import { Latencies, median, nowMs } from '../support/stats';

/** Runs, each four rounds: with the checkpointer, without, without, with. */
const RUNS = 3;
const ORDER = [true, false, false, true] as const;

interface Round {
  checkpointing: boolean;
  rate: number;
  /** The checkpointer's own time on the appending thread, as a share of the round (with it only). */
  busyShare?: number;
  checkpoints?: number;
}

/**
 * What checkpointing costs appends: rounds of 64 appends in flight on a fresh store, with the checkpointer
 * following the log on the appending thread (a signed checkpoint every 1 000 events, the tree folded
 * incrementally; the worst case: `npm start` runs it on the projector thread) and without it.
 *
 * After a round of each to warm up, three runs of four rounds (with, without, without, with): a run's share is its two rounds with the
 * checkpointer over its two without, so a machine getting busier or quieter during a run weighs on both
 * alike; the figure is the median of the three runs' shares. Rounds on this shared machine move by ±15 %
 * with the disk's commit latency, which no share of rounds can remove entirely, so the checkpointer's own
 * time on the thread is measured too (`Checkpointer.busyMs`: reading hashes, folding, signing), a share of
 * each round's time that the disk does not move: on one thread, what appends lose to it.
 */
export const checkpointAppend: Scenario = {
  name: 'checkpoint-append',
  title: 'Store append with the checkpointer running',
  figures: () => [
    {
      key: 'share',
      label: 'appends/s with the checkpointer, % of without, 64 in flight',
      unit: '%',
      target: { atLeast: 95, text: '≥ 95 % (appends at most 5 % slower)' },
    },
    {
      key: 'busy',
      label: "the checkpointer's own time on the appending thread, % of a round",
      unit: '%',
      target: { atMost: 5, text: '≤ 5 %' },
    },
  ],

  async run(bench: BenchContext): Promise<Measurement> {
    // Rounds twice as long as store-append-concurrent's: the disk's noise weighs less on a longer round.
    const appends = 2 * bench.options.concurrentAppends;
    // A round of each first, not counted: the first rounds of a process run colder code (JIT) than the rest.
    for (const checkpointing of [true, false]) await appendRoundOf(bench, appends, checkpointing);
    const runs: Round[][] = [];
    for (let run = 0; run < RUNS; run++) {
      const rounds: Round[] = [];
      for (const checkpointing of ORDER) rounds.push(await appendRoundOf(bench, appends, checkpointing));
      runs.push(rounds);
    }
    const sum = (rounds: Round[], checkpointing: boolean) => rounds.filter((r) => r.checkpointing === checkpointing).reduce((total, r) => total + r.rate, 0);
    const shares = runs.map((rounds) => sum(rounds, true) / sum(rounds, false));
    const share = median(shares);
    const withRounds = runs.flat().filter((r) => r.checkpointing);
    const busy = median(withRounds.map((r) => r.busyShare ?? 0));
    const rates = (checkpointing: boolean) =>
      runs
        .flat()
        .filter((r) => r.checkpointing === checkpointing)
        .map((r) => Math.round(r.rate));
    bench.log(
      `with the checkpointer: ${rates(true).join(', ')} appends/s (${withRounds.map((r) => r.checkpoints).join(', ')} checkpoints); ` +
        `without: ${rates(false).join(', ')}; runs' shares ${shares.map(percent).join(', ')}; ` +
        `its own time ${withRounds.map((r) => tenths(r.busyShare ?? 0)).join(', ')}`,
    );
    const note = `${RUNS} runs of 4 rounds (with, without, without, with), ${appends} appends per round`;
    return {
      share: {
        value: Math.round(share * 1000) / 10,
        details: {
          note:
            `median of the runs' shares ${shares.map(percent).join(', ')}; ` +
            `${thousands(median(rates(true)))} vs ${thousands(median(rates(false)))} appends/s (medians); ${note}`,
          runShares: shares.map((s) => Math.round(s * 1000) / 10),
          withCheckpointer: rates(true),
          withoutCheckpointer: rates(false),
          checkpointsPerRound: withRounds.map((r) => r.checkpoints),
        },
      },
      busy: {
        value: Math.round(busy * 1000) / 10,
        details: {
          note: `median of the ${withRounds.length} rounds with it: ${withRounds.map((r) => tenths(r.busyShare ?? 0)).join(', ')}`,
          busyShares: withRounds.map((r) => Math.round((r.busyShare ?? 0) * 1000) / 10),
        },
      },
    };
  },
};

async function appendRoundOf(bench: BenchContext, appends: number, checkpointing: boolean): Promise<Round> {
  const { store, versions } = await storeWithPatients(bench, 100);
  const key = loadSigningKey(join(bench.freshDir('key'), 'audit-signing-key.pem'), { generate: true });
  const checkpointer = checkpointing ? new Checkpointer(store, store.checkpoints as CheckpointLog, key, { every: 1_000, intervalMs: 60_000 }) : null;
  try {
    await checkpointer?.start();
    const busyBefore = checkpointer?.busyMs ?? 0;
    const started = nowMs();
    const rate = await appendRound(store, versions, appends, bench.options.inFlight, new Latencies());
    const elapsed = nowMs() - started;
    if (!checkpointer) return { checkpointing, rate };
    const busyShare = (checkpointer.busyMs - busyBefore) / elapsed;
    await checkpointer.checkpointNow();
    const checkpoints = (await store.checkpoints?.list(0, 1000))?.length ?? 0;
    return { checkpointing, rate, busyShare, checkpoints };
  } finally {
    await checkpointer?.stop();
    await store.close();
  }
}

const tenths = (share: number): string => `${(share * 100).toFixed(1)} %`;
