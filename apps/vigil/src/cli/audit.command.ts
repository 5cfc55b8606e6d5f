import { SingleBar } from 'cli-progress';
import { Command } from 'commander';
import { StoreVerification, verifyStore } from '@vigil/audit';
import { configFromEnv } from '@vigil/api';
import { createEventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { CliContext } from './cli-context';

/** `vigil audit verify [--json]`: walks the whole store's hash chains; exits 1 when anything is broken. */
export function auditCommand(context: CliContext): Command {
  const audit = new Command('audit').description('audit trail tools');
  audit
    .command('verify')
    .description('verify the hash chain of every stream of the configured event store (exit code 1 when broken)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const dataDir = configFromEnv(context.env).dataDir;
      const store = await createEventStore(eventStoreConfigFromEnv({ ...context.env, VIGIL_DATA_DIR: dataDir }));
      const bar = context.progressStream
        ? new SingleBar({ stream: context.progressStream, format: 'verifying {bar} {percentage}% | {value}/{total} events', hideCursor: true })
        : null;
      const started = process.hrtime.bigint();
      let report: StoreVerification;
      try {
        report = await verifyStore(store, {
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
  return audit;
}

function summary(report: StoreVerification, seconds: number): string {
  const rate = seconds > 0 ? Math.round(report.events / seconds) : report.events;
  const head = `${report.events} events in ${report.streams} streams checked in ${seconds.toFixed(2)} s (${rate} events/s)`;
  if (report.ok) return `Audit trail intact: ${head}.\n`;
  const lines = report.broken.map((b) => `  ${b.streamId} version ${b.version}: ${b.reason}`);
  const streams = new Set(report.broken.map((b) => b.streamId)).size;
  return `AUDIT TRAIL BROKEN: ${report.broken.length} event(s) in ${streams} stream(s); ${head}.\n${lines.join('\n')}\n`;
}
