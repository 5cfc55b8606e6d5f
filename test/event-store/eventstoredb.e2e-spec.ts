import { createEventStoreDbEventStore } from '../../libs/event-store/src/eventstoredb/esdb-event-store';
import { describeEventStoreContract } from '../../libs/event-store/src/testing/event-store.contract';
import { describeWithService, findEventStoreDb } from '../support/services';

// Runs when EVENTSTORE_URL is set or a Docker engine answers (eventstore/eventstore:24.10, insecure);
// otherwise the whole suite is skipped with a warning that says what is missing.
describeWithService('EventStoreDB event store', findEventStoreDb, (eventStoreDb) => {
  let run = 0;
  const prefix = `vigil-test-${process.pid}-${Date.now().toString(36)}`;

  // Each test writes under its own stream prefix: one server, no test sees another's events.
  describeEventStoreContract('eventstoredb', async () => {
    const namespace = `${prefix}-${++run}:`;
    const open = () => createEventStoreDbEventStore({ url: eventStoreDb.url, namespace, pollIntervalMs: 50 });
    return { store: await open(), reopen: open, cleanup: async () => undefined };
  });
});
