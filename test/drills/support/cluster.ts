import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Test } from 'supertest';
import { adminToken, freePort, VigilProcess } from '../../harness/vigil-process';
import { WebhookReceiver } from '../../harness/webhook-receiver';
import { WriteLoad } from './write-load';

export const JWT_SECRET = 'drill token secret, shared by every node of the cluster';

/** One Vigil node of a drill: a real `vigil` process with its roles, its own (empty) data directory. */
export interface DrillNode {
  name: string;
  roles: string;
  process: VigilProcess;
  dataDir: string;
  pid(): number | undefined;
}

/**
 * Several `vigil` processes on one PostgreSQL schema of their own (events in `<schema>`, read models,
 * outbox and leases in `<schema>_read`), one webhook receiver, tokens every node accepts. Every
 * connection of the cluster carries application_name = the schema (PGAPPNAME), so a drill can cut
 * exactly its own connections.
 */
export class Cluster {
  readonly nodes: DrillNode[] = [];
  readonly receiver = new WebhookReceiver();
  private readonly loads: WriteLoad[] = [];
  private token = '';

  constructor(
    readonly postgresUrl: string,
    readonly schema: string,
    private readonly extraEnv: NodeJS.ProcessEnv = {},
  ) {}

  get readSchema(): string {
    return `${this.schema}_read`;
  }

  async start(): Promise<void> {
    await this.receiver.listen();
    this.token = await adminToken(JWT_SECRET);
  }

  env(): NodeJS.ProcessEnv {
    return {
      VIGIL_EVENT_STORE: 'postgres',
      VIGIL_POSTGRES_URL: this.postgresUrl,
      VIGIL_POSTGRES_SCHEMA: this.schema,
      VIGIL_JWT_SECRET: JWT_SECRET,
      PGAPPNAME: this.schema,
      ...this.receiver.env,
      ...this.extraEnv,
    };
  }

  /** Starts a node with these roles (`api`, `projector,notifier`, … or all). */
  async node(name: string, roles = 'api,projector,notifier'): Promise<DrillNode> {
    const dataDir = mkdtempSync(join(tmpdir(), `vigil-drill-${name}-`));
    for (let attempt = 1; ; attempt++) {
      const process = new VigilProcess('vigil', { ...this.env(), VIGIL_ROLES: roles, VIGIL_DATA_DIR: dataDir }, await freePort());
      const node: DrillNode = { name, roles, process, dataDir, pid: () => process.pid };
      try {
        await process.start();
        this.nodes.push(node);
        return node;
      } catch (error) {
        // The free port was taken meanwhile (an outgoing connection of another process got it): another port.
        if (attempt >= 3 || !process.log.includes('EADDRINUSE')) throw error;
        await process.kill();
      }
    }
  }

  /** A client enrolling patients on the node until stopped (at the latest by `stop`, when a drill failed midway). */
  writeLoad(node: DrillNode, pauseAfterFailureMs = 0): WriteLoad {
    const load = new WriteLoad({ get: (path) => this.get(node, path), post: (path, body) => this.post(node, path, body) }, pauseAfterFailureMs);
    this.loads.push(load);
    return load;
  }

  post(node: DrillNode, path: string, body: object): Test {
    return node.process.http().post(path).set('Authorization', `Bearer ${this.token}`).send(body);
  }

  get(node: DrillNode, path: string): Test {
    return node.process.http().get(path).set('Authorization', `Bearer ${this.token}`);
  }

  /** Files a node left in its data directory (a node on PostgreSQL keeps none). */
  filesOf(node: DrillNode): string[] {
    return readdirSync(node.dataDir);
  }

  /** Who holds a lease now, as the leases table says (`host:pid:random`), or undefined. */
  async leaseHolder(name: string): Promise<{ owner: string; token: number } | undefined> {
    return this.query(async (client) => {
      const { rows } = await client.query(
        `SELECT owner, token::int AS token FROM ${this.readSchema}.leases WHERE name = $1 AND expires_at > clock_timestamp()`,
        [name],
      );
      return rows[0] as { owner: string; token: number } | undefined;
    });
  }

  /** The node whose process holds a lease now. */
  async holderOf(lease: string): Promise<DrillNode | undefined> {
    const holder = await this.leaseHolder(lease);
    const pid = holder && Number(holder.owner.split(':')[1]);
    return this.nodes.find((node) => node.pid() === pid);
  }

  async query<T>(use: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: this.postgresUrl });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  /** Every alert event in the log, in order. */
  async alertEvents(): Promise<{ event_id: string; type: string; stream_id: string; alert_id: string }[]> {
    return this.query(async (client) => {
      const { rows } = await client.query(
        `SELECT event_id::text, type, stream_id, data->>'alertId' AS alert_id FROM ${this.schema}.events
         WHERE stream_id LIKE 'alert-%' ORDER BY global_position`,
      );
      return rows as { event_id: string; type: string; stream_id: string; alert_id: string }[];
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.loads.splice(0).map((load) => load.stop()));
    for (const node of this.nodes) await node.process.kill();
    for (const node of this.nodes) rmSync(node.dataDir, { recursive: true, force: true });
    await this.receiver.close();
    await this.query(async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS ${this.schema} CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS ${this.readSchema} CASCADE`);
    });
  }
}
