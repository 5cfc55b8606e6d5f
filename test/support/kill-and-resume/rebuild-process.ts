import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ALERT_LIST, PATIENT_OVERVIEW, ReadModelDatabase } from '@vigil/projections';

export type ChildProgress = { state: string; done: number; total: number; resumedFrom: number };

const root = join(__dirname, '..', '..', '..');

/** `rebuild-child.ts` in a process of its own (TypeScript through swc, with the @vigil aliases): its progress lines as they come. */
export function rebuildChild(
  storeFile: string,
  readModelFile: string,
  pauseMs: number,
): { child: ChildProcess; progress: AsyncIterable<ChildProgress>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'scripts/register-ts.js'), join(__dirname, 'rebuild-child.ts'), storeFile, readModelFile, '100', String(pauseMs)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, progress: progressLines(createInterface({ input: child.stdout as NodeJS.ReadableStream })), exited };
}

/** The child's `progress {json}` lines (its other output is the log). */
async function* progressLines(lines: AsyncIterable<string>): AsyncGenerator<ChildProgress> {
  for await (const line of lines) if (line.startsWith('progress ')) yield JSON.parse(line.slice('progress '.length)) as ChildProgress;
}

/** Every row of the live build of each read model, in a stable order. */
export function readModelContents(file: string): Record<string, unknown[]> {
  const db = new ReadModelDatabase({ file });
  try {
    return {
      alerts: db.sql.prepare(`SELECT * FROM ${db.liveTable(ALERT_LIST, 'alerts')} ORDER BY alert_id`).all(),
      patients: db.sql.prepare(`SELECT * FROM ${db.liveTable(PATIENT_OVERVIEW, 'patients')} ORDER BY patient_id`).all(),
    };
  } finally {
    db.close();
  }
}

/** The builds of each safety read model, as [build, status]. */
export function buildsOf(file: string): [number, string][][] {
  const db = new ReadModelDatabase({ file });
  try {
    return [PATIENT_OVERVIEW, ALERT_LIST].map((name) => db.builds(name).map((b) => [b.build, b.status] as [number, string]));
  } finally {
    db.close();
  }
}

/** Checkpoint of the build being made beside the live one, per safety read model (0 when none). */
export function halfDoneCheckpoints(file: string): number[] {
  const db = new ReadModelDatabase({ file });
  try {
    return [PATIENT_OVERVIEW, ALERT_LIST].map((name) => db.builds(name).find((b) => b.status === 'building')?.position ?? 0);
  } finally {
    db.close();
  }
}
