import { ReadModelDatabase } from '@vigil/projections';
import { describeReadModelStoreContract } from '@vigil/projections/testing';
import { PostgresReadModelStore } from '../../libs/projections/src/store/postgres-read-model-store';
import { dropSchema, schemaNames } from '../event-store/support/schemas';
import { describeWithService, findPostgres } from '../support/services';

describeWithService('PostgreSQL read models', findPostgres, (postgres) => {
  const nextSchema = schemaNames('rm');

  // Each test gets its own schema; each `open` is a new pool on it, as another node or a restarted process.
  describeReadModelStoreContract('PostgreSQL', async () => {
    const schema = nextSchema();
    return {
      open: async () => ReadModelDatabase.open(await PostgresReadModelStore.open({ url: postgres.url, schema, poolSize: 4 })),
      cleanup: () => dropSchema(postgres.url, schema),
    };
  });
});
