import { ChainVerifier, EventStore, StoredEvent } from '@vigil/event-store';
import { createPostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { describeWithService, findPostgres } from '../support/services';
import { dropSchema, schemaNames } from './support/schemas';
import { appendTogether, startWriter, Writer } from './support/writers';

const WRITERS = 4;
const SHAPE = { appends: 150, inFlight: 16, streams: 12 }; // per writer: 150 commands of 1 to 3 events, 300 events; 12 streams shared

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

    writers = Array.from({ length: WRITERS }, (_, writer) => startWriter(postgres.url, schema, writer, SHAPE));
    const stored = await appendTogether(writers);

    const total = stored.length;
    expect(total).toBe(WRITERS * (SHAPE.appends / 3) * (1 + 2 + 3));
    const deadline = Date.now() + 20_000;
    while (seen.length < total && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a wrongly repeated batch to show
    await subscription.stop();

    expect(seen.map((event) => event.globalPosition)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const byPosition = new Map(stored.map(([eventId, position]) => [position, eventId]));
    expect(seen.map((event) => event.eventId)).toEqual(seen.map((event) => byPosition.get(event.globalPosition)));
    expect(new ChainVerifier().feed(seen).finish()).toMatchObject({ ok: true, streams: SHAPE.streams, events: total });
  }, 120_000);
});
