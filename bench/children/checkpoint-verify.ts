import { join } from 'node:path';
import { dirname } from 'node:path';
import { loadSigningKey, signCheckpoint, verifyStore } from '@vigil/audit';
import { CheckpointLog, createSqliteEventStore, MerkleFrontier } from '@vigil/event-store';
import { nowMs, peakRssMB } from '../support/stats';

/**
 * Signs a checkpoint every `every` events over the store (what a running checkpointer leaves behind),
 * unless it holds them already, then verifies the whole store `rounds` times with what `GET /audit/verify`
 * and `vigil audit verify` run: every hash chain, every checkpoint's signature and root.
 * Prints {via, checkpoints, rounds: [{events, ms}], ok, peakRssMB}.
 */
async function main(): Promise<void> {
  const [file, roundsText, everyText] = process.argv.slice(2);
  const store = await createSqliteEventStore({ file });
  const key = loadSigningKey(join(dirname(file), 'audit-signing-key.pem'), { generate: true });
  const log = store.checkpoints as CheckpointLog;
  const rounds: { events: number; ms: number }[] = [];
  let ok = true;
  try {
    if ((await log.latest()) === null) await signEvery(log, await store.headPosition(), Number(everyText), key);
    const checkpoints = (await log.list(0, 1)).length > 0 ? await count(log) : 0;
    for (let round = 0; round < Number(roundsText); round++) {
      const started = nowMs();
      const report = await verifyStore(store, { checkpoints: { key: key.publicKey, outside: [] } });
      rounds.push({ events: report.events, ms: nowMs() - started });
      ok &&= report.ok && report.checkpoints.status === 'verified' && report.checkpoints.checked === checkpoints;
    }
    console.log(JSON.stringify({ via: '@vigil/audit verifyStore with checkpoints', checkpoints, rounds, ok, peakRssMB: peakRssMB() }));
  } finally {
    await store.close();
  }
}

async function signEvery(log: CheckpointLog, head: number, every: number, key: ReturnType<typeof loadSigningKey>): Promise<void> {
  const frontier = new MerkleFrontier();
  for (let start = 0; start < head; start += 10_000) {
    for (const hash of await log.eventHashes(start, Math.min(head, start + 10_000))) {
      frontier.appendEventHash(hash);
      if (frontier.treeSize % every === 0 || frontier.treeSize === head) {
        await log.record(signCheckpoint(key, frontier.treeSize, frontier.rootHex()), frontier.state(), new Map());
      }
    }
  }
}

async function count(log: CheckpointLog): Promise<number> {
  let n = 0;
  for (let page = await log.list(0); page.length > 0; page = await log.list(page[page.length - 1].treeSize)) n += page.length;
  return n;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
