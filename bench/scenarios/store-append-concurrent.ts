import { appendScenario } from '../support/appends';

/**
 * Many writers on different patients: concurrent appends share one transaction and one fsync
 * (group commit). Compared with 100 raw rows per transaction, measured between its rounds.
 */
export const storeAppendConcurrent = appendScenario({
  name: 'store-append-concurrent',
  title: 'Store append, 64 in flight, durable',
  inFlight: (bench) => bench.options.inFlight,
  appendsPerRound: (bench) => bench.options.concurrentAppends,
  patients: (bench) => bench.options.inFlight * 4,
  rawRowsPerTx: 100,
  share: 0.5,
});
