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
export async function readModelContents(file: string): Promise<Record<string, unknown[]>> {
  const db = new ReadModelDatabase({ file });
  try {
    return await db.read(async (sql) => ({
      alerts: await sql.all(`SELECT * FROM ${await db.liveTable(ALERT_LIST, 'alerts', sql)} ORDER BY alert_id`),
      patients: await sql.all(`SELECT * FROM ${await db.liveTable(PATIENT_OVERVIEW, 'patients', sql)} ORDER BY patient_id`),
    }));
  } finally {
    await db.close();
  }
}

/** The builds of each safety read model, as [build, status]. */
export async function buildsOf(file: string): Promise<[number, string][][]> {
  const db = new ReadModelDatabase({ file });
  try {
    const builds = await Promise.all([PATIENT_OVERVIEW, ALERT_LIST].map((name) => db.builds(name)));
    return builds.map((of) => of.map((b) => [b.build, b.status] as [number, string]));
  } finally {
    await db.close();
  }
}

/** Checkpoint of the build being made beside the live one, per safety read model (0 when none). */
export async function halfDoneCheckpoints(file: string): Promise<number[]> {
  const db = new ReadModelDatabase({ file });
  try {
    const builds = await Promise.all([PATIENT_OVERVIEW, ALERT_LIST].map((name) => db.builds(name)));
    return builds.map((of) => of.find((b) => b.status === 'building')?.position ?? 0);
  } finally {
    await db.close();
  }
}
