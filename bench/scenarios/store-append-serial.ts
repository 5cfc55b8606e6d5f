import { appendScenario } from '../support/appends';

/**
 * A lone writer: every append waits for its own fsync. Compared with one raw row per transaction,
 * measured between its rounds (the spec's target, from the machine-limit row, stands when it fails).
 */
export const storeAppendSerial = appendScenario({
  name: 'store-append-serial',
  title: 'Store append, 1 at a time, durable',
  inFlight: () => 1,
  appendsPerRound: (bench) => bench.options.serialAppends,
  patients: () => 100,
  rawRowsPerTx: 1,
  share: 0.7,
});
