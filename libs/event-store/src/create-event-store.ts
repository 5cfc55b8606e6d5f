import { join, resolve } from 'node:path';
import { EventStore } from './event-store';

export type EventStoreKind = 'sqlite' | 'postgres' | 'eventstoredb';

export interface EventStoreConfig {
  kind: EventStoreKind;
  /** SQLite database file (kind 'sqlite'). */
  sqliteFile?: string;
  /** postgres://… (kind 'postgres'). */
  postgresUrl?: string;
  /** Optional PostgreSQL schema for the event tables (default 'vigil'). */
  postgresSchema?: string;
  /** esdb://… connection string (kind 'eventstoredb'). */
  eventStoreUrl?: string;
}

const kinds: readonly EventStoreKind[] = ['sqlite', 'postgres', 'eventstoredb'];

/** Thrown at start-up when the configuration cannot give an event store; the message says what to set. */
export class EventStoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EventStoreConfigError';
  }
}

/**
 * Reads the event store configuration from the environment:
 * VIGIL_EVENT_STORE=sqlite|postgres|eventstoredb (default sqlite), VIGIL_DATA_DIR (default ./data,
 * SQLite file <dir>/events.sqlite), VIGIL_POSTGRES_URL, VIGIL_POSTGRES_SCHEMA, EVENTSTORE_URL.
 */
export function eventStoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EventStoreConfig {
  const kind = (env.VIGIL_EVENT_STORE?.trim() || 'sqlite') as EventStoreKind;
  if (!kinds.includes(kind)) {
    throw new EventStoreConfigError(`VIGIL_EVENT_STORE=${env.VIGIL_EVENT_STORE} is not one of ${kinds.join(', ')}`);
  }
  const dataDir = env.VIGIL_DATA_DIR?.trim() || './data';
  return {
    kind,
    sqliteFile: kind === 'sqlite' ? join(resolve(dataDir), 'events.sqlite') : undefined,
    postgresUrl: env.VIGIL_POSTGRES_URL?.trim() || undefined,
    postgresSchema: env.VIGIL_POSTGRES_SCHEMA?.trim() || undefined,
    eventStoreUrl: env.EVENTSTORE_URL?.trim() || undefined,
  };
}

/**
 * Opens the configured adapter. Adapters are required lazily: a SQLite-only process never loads
 * `pg` or `@eventstore/db-client`.
 */
export async function createEventStore(config: EventStoreConfig): Promise<EventStore> {
  switch (config.kind) {
    case 'sqlite': {
      if (!config.sqliteFile) throw new EventStoreConfigError('VIGIL_EVENT_STORE=sqlite needs a database file (VIGIL_DATA_DIR)');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above); import() would make it async for no gain.
      const { createSqliteEventStore } = require('./sqlite/sqlite-event-store') as typeof import('./sqlite/sqlite-event-store');
      return createSqliteEventStore({ file: config.sqliteFile });
    }
    case 'postgres': {
      if (!config.postgresUrl) throw new EventStoreConfigError('VIGIL_EVENT_STORE=postgres needs VIGIL_POSTGRES_URL (postgres://user@host:5432/db)');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above); import() would make it async for no gain.
      const { createPostgresEventStore } = require('./postgres/postgres-event-store') as typeof import('./postgres/postgres-event-store');
      return createPostgresEventStore({ url: config.postgresUrl, schema: config.postgresSchema });
    }
    case 'eventstoredb': {
      if (!config.eventStoreUrl) throw new EventStoreConfigError('VIGIL_EVENT_STORE=eventstoredb needs EVENTSTORE_URL (esdb://host:2113?tls=false)');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above); import() would make it async for no gain.
      const { createEventStoreDbEventStore } = require('./eventstoredb/esdb-event-store') as typeof import('./eventstoredb/esdb-event-store');
      return createEventStoreDbEventStore({ url: config.eventStoreUrl });
    }
    default:
      throw new EventStoreConfigError(`VIGIL_EVENT_STORE=${String((config as { kind: unknown }).kind)} is not one of ${kinds.join(', ')}`);
  }
}
