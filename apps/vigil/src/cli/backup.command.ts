import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { backupStores, checkpointConfigFromEnv, checkpointsInFile, loadSigningKey, restoreStores, StoreRole } from '@vigil/audit';
import { configFromEnv } from '@vigil/api';
import { eventStoreConfigFromEnv } from '@vigil/event-store';
import { notifierConfigFromEnv } from '@vigil/messaging';
import { projectorConfigFromEnv } from '@vigil/alerting';
import { CliContext } from './cli-context';

/** Where the embedded stores live, as the server finds them (VIGIL_DATA_DIR, VIGIL_PROJECTIONS_FILE, VIGIL_NOTIFIER_FILE). */
function embeddedStores(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; dataDir: string; files: Record<StoreRole, string> } {
  const dataDir = configFromEnv(env).dataDir;
  const withDataDir = { ...env, VIGIL_DATA_DIR: dataDir };
  const store = eventStoreConfigFromEnv(withDataDir);
  if (store.kind !== 'sqlite' || !store.sqliteFile) {
    throw new Error(
      `backup and restore cover the embedded SQLite stores; on ${store.kind}, use its own tools (README: pg_dump, pg_restore, then vigil audit verify)`,
    );
  }
  return {
    env: withDataDir,
    dataDir,
    files: {
      'event-store': store.sqliteFile,
      'read-models': projectorConfigFromEnv(withDataDir).readModelsFile,
      outbox: notifierConfigFromEnv(withDataDir).outboxFile,
    },
  };
}

/**
 * `vigil backup <dir>`: an online, consistent backup of the embedded stores while Vigil runs, with a
 * manifest. `vigil restore <dir>`: into an empty data directory, then the full verification; exits 1
 * (and says why) unless everything holds.
 */
export function backupCommands(context: CliContext): Command[] {
  const backup = new Command('backup')
    .description('back up the embedded stores (online, consistent: SQLite backup API) into a new or empty directory, with a manifest')
    .argument('<dir>', 'a new or empty directory')
    .action(async (dir: string) => {
      const { env, dataDir, files } = embeddedStores(context.env);
      if (!existsSync(files['event-store'])) throw new Error(`there is no event store at ${files['event-store']} to back up`);
      const source = checkpointConfigFromEnv(env, dataDir).signingKey;
      const publicKey = 'file' in source && existsSync(source.file) ? loadSigningKey(source.file).publicKey : null;
      const manifest = await backupStores(files, resolve(dir), publicKey);
      const listed = manifest.files.map((f) => `  ${f.name} (${f.role}): ${f.bytes} bytes, SHA-256 ${f.sha256}\n`).join('');
      const checkpoint = manifest.lastCheckpoint ? `last checkpoint at tree size ${manifest.lastCheckpoint.treeSize}` : 'no checkpoint yet';
      context.out(
        `Backup written to ${resolve(dir)}: log head ${manifest.log.headPosition}, ${checkpoint}, key ${manifest.publicKey?.keyId ?? '(none)'}.\n${listed}` +
          'The private signing key is not in it: keep it (or its secret) apart.\n',
      );
    });

  const restore = new Command('restore')
    .description('restore a backup into an empty data directory (VIGIL_DATA_DIR), then verify the whole audit trail (exit code 1 unless it holds)')
    .argument('<dir>', 'a directory written by `vigil backup`')
    .action(async (dir: string) => {
      const { env, dataDir, files } = embeddedStores(context.env);
      const outside = checkpointConfigFromEnv(env, dataDir).file;
      const report = await restoreStores(resolve(dir), files, outside ? checkpointsInFile(outside) : []);
      const { manifest, verification } = report;
      if (report.problems.length > 0) {
        context.out(`RESTORE NOT VERIFIED into ${dataDir}:\n${report.problems.map((p) => `  ${p}\n`).join('')}`);
        context.exitCode = 1;
        return;
      }
      const key = manifest.publicKey;
      for (const note of report.notes) context.out(`Note: ${note}.\n`);
      context.out(
        `Restored ${manifest.files.length} store(s) into ${dataDir} and verified: ${verification.events} events in ${verification.streams} streams, ` +
          `hash chains intact; checkpoints: ${verification.checkpoints.message}.\n` +
          (key
            ? `Before starting Vigil, put the audit signing key (key id ${key.keyId}) back, ` +
              `in ${dataDir}/audit-signing-key.pem or VIGIL_AUDIT_SIGNING_KEY_FILE: ` +
              'a new key would sign on, but the checkpoints before it would no longer verify under it.\n'
            : ''),
      );
    });
  return [backup, restore];
}
