import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeReadModelStoreContract } from '../testing/read-model-store.contract';
import { ReadModelDatabase } from './read-model-database';

// The runner, rebuilds, read-your-writes and leases on the embedded store; the PostgreSQL adapter runs the same suite (test/read-models).
describeReadModelStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-projections-'));
  return {
    open: async () => new ReadModelDatabase({ file: join(dir, 'projections.sqlite') }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
