import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, Interface } from 'node:readline';
import { ChainVerifier, EventStore, StoredEvent } from '@vigil/event-store';
import { createPostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { describeWithService, findPostgres } from '../support/services';
import { dropSchema, schemaNames } from './support/schemas';

const root = join(__dirname, '..', '..');
const WRITERS = 4;
const APPENDS = 150; // per writer, 1 to 3 events each: 300 events per writer
const IN_FLIGHT = 16;
const STREAMS = 12; // shared by every writer

interface Writer {
  child: ChildProcess;
  lines: Interface;
  exited: Promise<number | null>;
  next(prefix: string): Promise<string>;
}

/** append-child.ts in a process of its own: a real OS process with its own pool of connections. */
function startWriter(url: string, schema: string, writer: number): Writer {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(root, 'scripts/register-ts.js'),
      join(__dirname, 'support', 'append-child.ts'),
      url,
      schema,
      String(writer),
      String(APPENDS),
      String(IN_FLIGHT),
      String(STREAMS),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const pending: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => (waiting.length ? waiting.shift()!(line) : pending.push(line)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const next = async (prefix: string): Promise<string> => {
    for (;;) {
      const line = pending.shift() ?? (await Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited.then((code) => `exit ${code}`)]));
      if (line.startsWith('exit ')) throw new Error(`writer ${writer} ended (${line}) before printing "${prefix}"`);
      if (line.startsWith(prefix)) return line.slice(prefix.length).trim();
    }
  };
  return { child, lines, exited, next };
}

describeWithService('PostgreSQL event store, several processes appending at once', findPostgres, (postgres) => {
  const nextSchema = schemaNames('es_procs');
  let schema: string;
  let reader: EventStore | undefined;
  let writers: Writer[] = [];
  beforeEach(() => (schema = nextSchema()));
  afterEach(async () => {
    for (const writer of writers) if (writer.child.exitCode === null) writer.child.kill('SIGKILL');
    writers = [];
    await reader?.close();
    reader = undefined;
    await dropSchema(postgres.url, schema);
  });

  it('lets one subscriber see every global position once, in order, none skipped, while four processes append', async () => {
    reader = await createPostgresEventStore({ url: postgres.url, schema, pollIntervalMs: 5 });
    const seen: StoredEvent[] = [];
    // Small batches, read as soon as anything commits: a position committed after a later one would be skipped here.
    const subscription = reader.subscribe({ after: 0, batchSize: 3 }, (batch) => void seen.push(...batch));

    writers = Array.from({ length: WRITERS }, (_, writer) => startWriter(postgres.url, schema, writer));
    await Promise.all(writers.map((writer) => writer.next('ready')));
    for (const writer of writers) writer.child.stdin?.end('go\n');
    const stored = (await Promise.all(writers.map(async (writer) => JSON.parse(await writer.next('appended')) as [string, number][]))).flat();
    expect(await Promise.all(writers.map((writer) => writer.exited))).toEqual(Array(WRITERS).fill(0));

    const total = stored.length;
    expect(total).toBe(WRITERS * (APPENDS / 3) * (1 + 2 + 3));
    const deadline = Date.now() + 20_000;
    while (seen.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a wrongly repeated batch to show
    await subscription.stop();

    expect(seen.map((event) => event.globalPosition)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const byPosition = new Map(stored.map(([eventId, position]) => [position, eventId]));
    expect(seen.map((event) => event.eventId)).toEqual(seen.map((event) => byPosition.get(event.globalPosition)));
    expect(new ChainVerifier().feed(seen).finish()).toMatchObject({ ok: true, streams: STREAMS, events: total });
  }, 120_000);
});
