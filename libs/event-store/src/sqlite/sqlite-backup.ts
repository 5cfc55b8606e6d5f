import Database from 'better-sqlite3';
import type { SignedCheckpoint } from '../checkpoints/checkpoint-log';

/**
 * Copies a SQLite database file, online, with SQLite's backup API: a consistent snapshot of the last
 * committed state, taken while other connections (a running Vigil) keep writing. All pages are copied
 * in one step under one read transaction (WAL readers do not block writers), so that a steady stream of
 * writes cannot make the copy restart forever. The copy is a single file (rollback journal, no -wal).
 */
export async function backupSqliteFile(source: string, target: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    await db.backup(target, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(target, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/** The log head (last global position), schema version and last checkpoint of an event store file, read-only. */
export function sqliteStoreFacts(file: string): { headPosition: number; schemaVersion: number; lastCheckpoint: SignedCheckpoint | null } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasCheckpoints = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'").get() !== undefined;
    const lastCheckpoint = hasCheckpoints
      ? ((db
          .prepare(
            'SELECT tree_size AS treeSize, root_hash AS rootHash, signed_at AS signedAt, key_id AS keyId, signature ' +
              'FROM checkpoints ORDER BY tree_size DESC LIMIT 1',
          )
          .get() as SignedCheckpoint | undefined) ?? null)
      : null;
    return {
      headPosition: db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck().get() as number,
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      lastCheckpoint: lastCheckpoint ? { ...lastCheckpoint } : null,
    };
  } finally {
    db.close();
  }
}
