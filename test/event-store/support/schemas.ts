import { Client } from 'pg';

/** A schema name no other run uses: `<label>_<pid>_<time>_<n>`. */
export function schemaNames(label: string): () => string {
  let run = 0;
  const prefix = `${label}_${process.pid}_${Date.now().toString(36)}`;
  return () => `${prefix}_${++run}`;
}

export async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export function dropSchema(url: string, schema: string): Promise<void> {
  return withClient(url, async (client) => void (await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)));
}
