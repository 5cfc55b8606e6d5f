import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore, NewEvent, StoredEvent } from '../event-store';
import { createSqliteEventStore } from './sqlite-event-store';

const metadata = { userId: 'u1', role: 'investigator', siteId: 'SAT', occurredAt: '2026-03-02T09:00:00.000Z', correlationId: 'c1' };
const lab = (value: number): NewEvent => ({ type: 'LabResultRecorded', schemaVersion: 1, data: { value }, metadata });
const alert = (n: number): NewEvent => ({ type: 'AlertRaised', schemaVersion: 1, data: { n }, metadata });

/**
 * A typed subscription reads windows of positions (readBatchOf): what it must do where the positions are not dense,
 * as in a store an administrator tampered with (rows deleted with the trigger dropped), so verification can name it.
 */
describe('SQLite typed reads', () => {
  let dir: string;
  let file: string;
  let store: EventStore | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-typed-read-'));
    file = join(dir, 'events.sqlite');
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function deliveredOf(types: string[]): Promise<StoredEvent[]> {
    store = await createSqliteEventStore({ file, pollIntervalMs: 20 });
    const head = await store.headPosition();
    const seen: StoredEvent[] = [];
    const subscription = store.subscribe({ after: 0, batchSize: 2, types }, (batch) => void seen.push(...batch));
    const deadline = Date.now() + 5_000;
    while (subscription.position < head && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await subscription.stop();
    expect(subscription.position).toBe(head);
    return seen;
  }

  it('moves past a gap in the positions wider than its window and still delivers what follows', async () => {
    const writer = await createSqliteEventStore({ file });
    await writer.append('alert-a', [alert(1)], { expectedVersion: 'any' });
    await writer.append(
      'patient-1',
      Array.from({ length: 100 }, (_, i) => lab(i)),
      { expectedVersion: 'any' },
    );
    await writer.append('alert-b', [alert(2), alert(3)], { expectedVersion: 'any' });
    await writer.close();
    const db = new Database(file);
    db.exec('DROP TRIGGER events_are_never_deleted');
    db.prepare('DELETE FROM events WHERE global_position BETWEEN 2 AND 95').run();
    db.close();

    const seen = await deliveredOf(['AlertRaised']);

    expect(seen.filter((event) => event.type === 'AlertRaised').map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('delivers every event of the types asked for when they are more than a batch within one window', async () => {
    const writer = await createSqliteEventStore({ file });
    await writer.append('patient-1', [lab(1), lab(2)], { expectedVersion: 'any' });
    await writer.append('alert-a', [alert(1), alert(2), alert(3), alert(4), alert(5)], { expectedVersion: 'any' });
    await writer.append('patient-1', [lab(3)], { expectedVersion: 'any' });
    await writer.close();

    const seen = await deliveredOf(['AlertRaised']);

    expect(seen.filter((event) => event.type === 'AlertRaised').map((event) => event.data)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    expect(seen[seen.length - 1].globalPosition).toBe(8);
  });
});
