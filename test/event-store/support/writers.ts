import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, Interface } from 'node:readline';

const root = join(__dirname, '..', '..', '..');

export interface WriterShape {
  /** Commands each writer appends (1 to 3 events each, so a multiple of 3 gives whole rounds). */
  appends: number;
  /** Commands each writer keeps in flight. */
  inFlight: number;
  /** Streams shared by every writer. */
  streams: number;
}

/** A writer process (append-child.ts) and its output. */
export interface Writer {
  child: ChildProcess;
  lines: Interface;
  exited: Promise<number | null>;
  /** The rest of the next line the writer prints that starts with `prefix`; fails if it exits first. */
  next(prefix: string): Promise<string>;
}

/**
 * append-child.ts in a process of its own: a real OS process with its own connections to the store
 * (`url` a PostgreSQL URL with `schema`, or `sqlite:<file>`).
 */
export function startWriter(url: string, schema: string, writer: number, shape: WriterShape): Writer {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(root, 'scripts/register-ts.js'),
      join(__dirname, 'append-child.ts'),
      url,
      schema,
      String(writer),
      String(shape.appends),
      String(shape.inFlight),
      String(shape.streams),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const pending: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()!(line) : pending.push(line)));
  // 'close', not 'exit': it comes once the pipes are drained too, so every line the writer printed was read first.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const next = async (prefix: string): Promise<string> => {
    for (;;) {
      const line = pending.shift() ?? (await Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited.then((code) => `exit ${code}`)]));
      if (line.startsWith('exit ')) throw new Error(`writer ${writer} ended (${line}) before printing "${prefix}"`);
      if (line.startsWith(prefix)) return line.slice(prefix.length).trim();
    }
  };
  return { child, lines, exited, next };
}

/** Starts the writers together; resolves with the [eventId, position] of every event they stored, once all exited 0. */
export async function appendTogether(writers: readonly Writer[]): Promise<[string, number][]> {
  await Promise.all(writers.map((writer) => writer.next('ready')));
  for (const writer of writers) writer.child.stdin?.end('go\n');
  const stored = (await Promise.all(writers.map(async (writer) => JSON.parse(await writer.next('appended')) as [string, number][]))).flat();
  const codes = await Promise.all(writers.map((writer) => writer.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`writers exited with ${codes.join(', ')}`);
  return stored;
}
