import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { createSqliteEventStore } from './sqlite-event-store';

describeEventStoreContract(
  'sqlite (temporary file)',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-'));
    const file = join(dir, 'nested', 'events.sqlite');
    return {
      store: await createSqliteEventStore({ file, pollIntervalMs: 50 }),
      reopen: () => createSqliteEventStore({ file, pollIntervalMs: 50 }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  { chainRecords: true, checkpoints: true, snapshots: true },
);

describeEventStoreContract(
  "sqlite (':memory:')",
  async () => ({
    store: await createSqliteEventStore({ file: ':memory:' }),
    cleanup: async () => undefined,
  }),
  { persistent: false, chainRecords: true, checkpoints: true, snapshots: true },
);
