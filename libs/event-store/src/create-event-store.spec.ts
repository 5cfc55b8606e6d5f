import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEventStore, eventStoreConfigFromEnv } from './create-event-store';

describe('event store configuration', () => {
  it('defaults to SQLite in ./data/events.sqlite', () => {
    expect(eventStoreConfigFromEnv({})).toMatchObject({ kind: 'sqlite', sqliteFile: join(resolve('./data'), 'events.sqlite') });
  });

  it('puts the SQLite file in VIGIL_DATA_DIR', () => {
    expect(eventStoreConfigFromEnv({ VIGIL_DATA_DIR: '/srv/vigil' }).sqliteFile).toBe('/srv/vigil/events.sqlite');
  });

  it('reads the PostgreSQL and EventStoreDB settings', () => {
    const env = {
      VIGIL_EVENT_STORE: 'postgres',
      VIGIL_POSTGRES_URL: 'postgres://vigil@db:5432/vigil',
      VIGIL_POSTGRES_SCHEMA: 'trial',
      EVENTSTORE_URL: 'esdb://es:2113?tls=false',
    };
    expect(eventStoreConfigFromEnv(env)).toEqual({
      kind: 'postgres',
      sqliteFile: undefined,
      postgresUrl: 'postgres://vigil@db:5432/vigil',
      postgresSchema: 'trial',
      eventStoreUrl: 'esdb://es:2113?tls=false',
    });
  });

  it('names the valid kinds when VIGIL_EVENT_STORE is unknown', () => {
    expect(() => eventStoreConfigFromEnv({ VIGIL_EVENT_STORE: 'mongo' })).toThrow('VIGIL_EVENT_STORE=mongo is not one of sqlite, postgres, eventstoredb');
  });

  it('says which setting a chosen adapter is missing', async () => {
    await expect(createEventStore(eventStoreConfigFromEnv({ VIGIL_EVENT_STORE: 'postgres' }))).rejects.toThrow(
      'VIGIL_EVENT_STORE=postgres needs VIGIL_POSTGRES_URL',
    );
    await expect(createEventStore(eventStoreConfigFromEnv({ VIGIL_EVENT_STORE: 'eventstoredb' }))).rejects.toThrow(
      'VIGIL_EVENT_STORE=eventstoredb needs EVENTSTORE_URL',
    );
  });

  it('opens SQLite in a new data directory without loading pg or the EventStoreDB client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
    const dataDir = join(dir, 'not', 'yet', 'there');
    jest.resetModules();
    jest.doMock('pg', () => {
      throw new Error('pg was loaded');
    });
    jest.doMock('@eventstore/db-client', () => {
      throw new Error('@eventstore/db-client was loaded');
    });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy after jest.resetModules, with pg and the ESDB client mocked.
      const fresh = require('./create-event-store') as typeof import('./create-event-store');
      const store = await fresh.createEventStore(fresh.eventStoreConfigFromEnv({ VIGIL_DATA_DIR: dataDir }));
      await store.append(
        'patient-1',
        [{ type: 'Noted', schemaVersion: 1, data: {}, metadata: { userId: 'u', role: 'r', occurredAt: '2024-01-01T00:00:00Z', correlationId: 'c' } }],
        { expectedVersion: 'no_stream' },
      );
      await store.close();
      expect(existsSync(join(dataDir, 'events.sqlite'))).toBe(true);
    } finally {
      jest.dontMock('pg');
      jest.dontMock('@eventstore/db-client');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
