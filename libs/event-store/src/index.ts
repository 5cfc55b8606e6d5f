export * from './event-store';
export * from './errors';
export * from './event-store.module';
export { hashEvent, hashEnvelope, canonicalEnvelope } from './hash-chain';
export type { HashedEnvelope } from './hash-chain';
export { canonicalJson } from './canonical-json';
export { createSqliteEventStore } from './sqlite/sqlite-event-store';
export type { SqliteEventStoreOptions } from './sqlite/sqlite-event-store';
export { ChainVerifier } from './chain-verifier';
export type { BrokenLink, ChainReport } from './chain-verifier';
export { createEventStore, eventStoreConfigFromEnv, EventStoreConfigError } from './create-event-store';
export type { EventStoreConfig, EventStoreKind } from './create-event-store';
// Types only: the PostgreSQL and EventStoreDB adapters load through createEventStore, on demand.
export type { PostgresEventStoreOptions } from './postgres/postgres-event-store';
export type { EventStoreDbEventStoreOptions } from './eventstoredb/esdb-event-store';
export { StreamCache } from './stream-cache';
export type { StreamCacheOptions } from './stream-cache';
