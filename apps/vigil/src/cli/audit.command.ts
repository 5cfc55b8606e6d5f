import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkpointSettingFromEnv, ExportCheck, parsePublicKey, StoreVerification, verifyExport, verifyStore } from '@vigil/audit';
import { configFromEnv } from '@vigil/api';
import { createEventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { CliContext } from './cli-context';

/**
 * `vigil audit verify [--json] [--public-key file]`: walks the whole store's hash chains and checks every
 * signed checkpoint; exits 1 when anything is broken. `vigil audit verify-export <file> --public-key <file>`:
 * checks an exported JSON audit trail offline; exits 1 when anything in it does not hold.
 */
export function auditCommand(context: CliContext): Command {
  const audit = new Command('audit').description('audit trail tools');
  audit
    .command('verify')
    .description('verify the hash chain of every stream and every signed checkpoint of the configured event store (exit code 1 when broken)')
    .option('--json', 'print the report as JSON')
    .option('--public-key <file>', "check the checkpoints under this public key (PEM) instead of the configured signing key's")
    .action(async (options: { json?: boolean; publicKey?: string }) => {
      const dataDir = configFromEnv(context.env).dataDir;
      const env = { ...context.env, VIGIL_DATA_DIR: dataDir };
      const checkpoints = checkpointSettingFromEnv(env, dataDir, options.publicKey ? parsePublicKey(readFileSync(options.publicKey, 'utf8')) : undefined);
      const store = await createEventStore(eventStoreConfigFromEnv(env));
      const bar = context.progressStream
        ? new SingleBar({ stream: context.progressStream, format: 'verifying {bar} {percentage}% | {value}/{total} events', hideCursor: true })
        : null;
      const started = process.hrtime.bigint();
      let report: StoreVerification;
      try {
        report = await verifyStore(store, {
          checkpoints,
          onProgress: ({ position, headPosition }) => {
            if (!bar) return;
            if (bar.getTotal() !== headPosition) bar.start(headPosition, 0);
            bar.update(Math.min(position, headPosition));
          },
        });
      } finally {
        bar?.stop();
        await store.close();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      context.out(options.json ? `${JSON.stringify(report, null, 2)}\n` : summary(report, seconds));
      if (!report.ok) context.exitCode = 1;
    });
  audit
    .command('verify-export')
    .description(
      'check an exported JSON audit trail offline: its digest, the checkpoint signature, every event hash and inclusion proof (exit code 1 when not)',
    )
    .argument('<file>', 'the export (GET /patients/:patientId/history/export?format=json)')
    .requiredOption('--public-key <file>', 'the public key that signs checkpoints (GET /audit/public-key), PEM')
    .option('--sha256 <hex>', 'the X-Vigil-SHA256 header the export came with: the exact bytes must match it')
    .option('--json', 'print the report as JSON')
    .action((file: string, options: { publicKey: string; sha256?: string; json?: boolean }) => {
      const check = verifyExport(readFileSync(file, 'utf8'), parsePublicKey(readFileSync(options.publicKey, 'utf8')), options.sha256);
      context.out(options.json ? `${JSON.stringify(check, null, 2)}\n` : exportSummary(file, check));
      if (!check.ok) context.exitCode = 1;
    });
  return audit;
}

function summary(report: StoreVerification, seconds: number): string {
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events;
  const head = `${report.events} events in ${report.streams} streams checked in ${seconds.toFixed(2)} s (${rate} events/s)`;
  const checkpoints = `Checkpoints: ${report.checkpoints.message}.`;
  if (report.ok) return `Audit trail intact: ${head}.\n${checkpoints}\n`;
  const lines = report.broken.map((b) => `  ${b.streamId} version ${b.version}: ${b.reason}`);
  const chains = `${report.broken.length} event(s) in ${new Set(report.broken.map((b) => b.streamId)).size} stream(s)`;
  let verdict = `AUDIT TRAIL BROKEN: ${chains}`;
  if (report.broken.length === 0) {
    verdict =
      report.checkpoints.status === 'unverifiable'
        ? 'AUDIT TRAIL NOT VERIFIED: the hash chains hold, the signed checkpoints cannot be checked'
        : 'AUDIT TRAIL BROKEN: the hash chains hold, a signed checkpoint no longer matches';
  }
  return `${verdict}; ${head}.\n${lines.map((line) => `${line}\n`).join('')}${checkpoints}\n`;
}

function exportSummary(file: string, check: ExportCheck): string {
  const what = `${check.events} event(s) of patient ${check.patientId ?? '?'}, ${check.proven} proven in checkpoint ${check.checkpoint?.treeSize ?? '–'}`;
  if (check.ok) return `Export verified: ${what} (signed ${check.checkpoint?.signedAt} by key ${check.checkpoint?.keyId}).\n`;
  return `EXPORT DOES NOT VERIFY (${file}): ${what}.\n${check.problems.map((p) => `  ${p}\n`).join('')}`;
}
