import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainVerifier, createSqliteEventStore, EventStore, StoredEvent } from '@vigil/event-store';
import { appendTogether, startWriter, Writer } from './support/writers';

const WRITERS = 3;
const SHAPE = { appends: 120, inFlight: 8, streams: 10 }; // per writer: 120 commands of 1 to 3 events, 240 events; 10 streams shared

/**
 * The embedded store's file shared by several OS processes (a CLI beside the server, a second node on one
 * disk): each appends under SQLite's write lock, and a reader in another process, following the log as it
 * grows, must see every event once and in order. The typed reader (a projection's `handles`, docs/architecture.md "Projections and reactors")
 * reads a window's last event first and the wanted types only up to it: a commit landing between its two
 * statements must not slip a wanted event behind the position it moves to.
 */
describe('SQLite event store, several processes appending to one file', () => {
  let dir: string;
  let reader: EventStore | undefined;
  let writers: Writer[] = [];
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'vigil-sqlite-procs-'))));
  afterEach(async () => {
    for (const writer of writers) if (writer.child.exitCode === null) writer.child.kill('SIGKILL');
    writers = [];
    await reader?.close();
    reader = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a subscriber see every position once and in order, and a typed subscriber every event of its types, while three processes append', async () => {
    const file = join(dir, 'events.sqlite');
    reader = await createSqliteEventStore({ file, pollIntervalMs: 5 });
    const seen: StoredEvent[] = [];
    const doses: StoredEvent[] = [];
    // Small batches, read as soon as anything commits: a typed window is 16 batches of positions, so the log
    // passes through many windows while the writers run.
    const all = reader.subscribe({ after: 0, batchSize: 3 }, (batch) => void seen.push(...batch));
    const typed = reader.subscribe({ after: 0, batchSize: 2, types: ['DoseAdministered'] }, (batch) => void doses.push(...batch));

    writers = Array.from({ length: WRITERS }, (_, writer) => startWriter(`sqlite:${file}`, '', writer, SHAPE));
    const stored = await appendTogether(writers);
    const total = stored.length;
    expect(total).toBe(WRITERS * (SHAPE.appends / 3) * (1 + 2 + 3));

    const deadline = Date.now() + 15_000;
    const caughtUp = () => seen.length >= total && doses.length > 0 && doses[doses.length - 1].globalPosition >= lastDose(seen);
    while (!caughtUp() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 100)); // room for a wrongly repeated batch to show
    await Promise.all([all.stop(), typed.stop()]);

    expect(seen.map((event) => event.globalPosition)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const byPosition = new Map(stored.map(([eventId, position]) => [position, eventId]));
    expect(seen.map((event) => event.eventId)).toEqual(seen.map((event) => byPosition.get(event.globalPosition)));
    expect(new ChainVerifier().feed(seen).finish()).toMatchObject({ ok: true, streams: SHAPE.streams, events: total });
    // Every dose, once, in log order; the other events the typed reader was handed only mark how far it read.
    const expectedDoses = seen.filter((event) => event.type === 'DoseAdministered').map((event) => event.globalPosition);
    expect(expectedDoses.length).toBe(WRITERS * (SHAPE.appends / 3) * 3);
    expect(doses.filter((event) => event.type === 'DoseAdministered').map((event) => event.globalPosition)).toEqual(expectedDoses);
    const positions = doses.map((event) => event.globalPosition);
    expect(positions).toEqual([...new Set(positions)].sort((a, b) => a - b));
  }, 60_000);
});

function lastDose(events: readonly StoredEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].type === 'DoseAdministered') return events[i].globalPosition;
  return Number.POSITIVE_INFINITY;
}
