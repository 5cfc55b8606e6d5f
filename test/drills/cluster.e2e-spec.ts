import { ReadModelDatabase, rebuildProjections, ALERT_LIST, PATIENT_OVERVIEW } from '@vigil/projections';
import { createPostgresEventStore } from '../../libs/event-store/src/postgres/postgres-event-store';
import { PostgresReadModelStore } from '../../libs/projections/src/store/postgres-read-model-store';
import { daysAgo, enrolment } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';
import { schemaNames } from '../event-store/support/schemas';
import { describeWithService, findPostgres } from '../support/services';
import { Cluster, DrillNode } from './support/cluster';
import { privatePostgresUnavailable, PrivatePostgres } from './support/private-postgres';
import { freePort } from '../harness/vigil-process';

/** A patient of the drill: enrolled, then given a platelet count below 80 × 10⁹/L (TR-PLT, docs/safety-rules.md). */
async function patientWithAlert(cluster: Cluster, via: DrillNode, n: number): Promise<number> {
  const patientId = `TR-SAT-${String(n).padStart(3, '0')}`;
  await cluster.post(via, '/patients', enrolment({ patientId })).expect(201);
  const lab = await cluster.post(via, `/patients/${patientId}/lab-results`, { test: 'PLAT', value: 79000, unit: '/mm3', collectedAt: daysAgo(1) }).expect(201);
  return Number(lab.headers['x-vigil-position']);
}

const raisedTwice = (events: { type: string; alert_id: string }[]) => {
  const raised = events.filter((e) => e.type === 'AlertRaised').map((e) => e.alert_id);
  return raised.filter((id, i) => raised.indexOf(id) !== i);
};

/** Every row of the live read models, in a stable order: what a clean rebuild must give too. */
async function readModelRows(db: ReadModelDatabase): Promise<Record<string, unknown[]>> {
  return db.read(async (sql) => ({
    alerts: await sql.all(`SELECT * FROM ${await db.liveTable(ALERT_LIST, 'alerts', sql)} ORDER BY alert_id`),
    patients: await sql.all(`SELECT * FROM ${await db.liveTable(PATIENT_OVERVIEW, 'patients', sql)} ORDER BY patient_id`),
  }));
}

describeWithService('Drills: several Vigil nodes on one PostgreSQL', findPostgres, (postgres) => {
  const nextSchema = schemaNames('drill');
  let cluster: Cluster;
  beforeEach(async () => {
    cluster = new Cluster(postgres.url, nextSchema());
    await cluster.start();
  });
  afterEach(() => cluster.stop(), 60_000);

  it('two API replicas, two projector nodes and a notifier: every alert raised once, delivered once, both replicas agree, no node keeps a file', async () => {
    const [, , , api1, api2] = [
      await cluster.node('projector-1', 'projector'),
      await cluster.node('projector-2', 'projector'),
      await cluster.node('notifier', 'notifier'),
      await cluster.node('api-1', 'api'),
      await cluster.node('api-2', 'api'),
    ];
    let last = 0;
    for (let n = 1; n <= 10; n++) last = Math.max(last, await patientWithAlert(cluster, n % 2 ? api1 : api2, n));

    // Read your writes on either replica: the position the last write reached, then the same list on both.
    const lists = await Promise.all(
      [api1, api2].map(async (api) => (await cluster.get(api, '/alerts').set('X-Vigil-Min-Position', String(last)).expect(200)).body.items),
    );
    expect(lists[0]).toHaveLength(10);
    expect(lists[1]).toEqual(lists[0]);
    await eventually(
      () => cluster.receiver.eventTypes().length,
      (count) => count >= 10,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a second delivery, were there one
    expect(cluster.receiver.eventTypes()).toEqual(Array(10).fill('AlertRaised'));
    expect([...cluster.receiver.countsByEventId().values()]).toEqual(Array(10).fill(1));
    expect(raisedTwice(await cluster.alertEvents())).toEqual([]);
    for (const node of cluster.nodes) expect(cluster.filesOf(node)).toEqual([]);

    // A rebuild asked of an API replica runs on the node that owns the read model, blue/green; both replicas see the new build.
    const asked = await cluster.post(api1, '/projections/alert-list/rebuild', {});
    expect(asked.status).toBeLessThan(300);
    expect(asked.body).toMatchObject({ projection: 'alert_list', state: 'requested' });
    const rebuilt = await eventually(
      async () => (await cluster.get(api2, '/projections/alert-list').expect(200)).body,
      (status) => status.liveBuild === 2 && status.builds.length === 1,
      30_000,
    );
    expect(rebuilt).toMatchObject({ liveBuild: 2, lag: 0 });
    expect((await cluster.get(api2, '/alerts').expect(200)).body.items).toEqual(lists[0]);
  }, 180_000);

  it('two all-in-one nodes with writes spread over both: each alert raised and delivered once', async () => {
    const a = await cluster.node('node-a');
    const b = await cluster.node('node-b');
    let last = 0;
    for (let n = 1; n <= 8; n++) last = Math.max(last, await patientWithAlert(cluster, n % 2 ? a : b, n));
    const onB = await cluster.get(b, '/alerts').set('X-Vigil-Min-Position', String(last)).expect(200);
    expect(onB.body.items).toHaveLength(8);
    await eventually(
      () => cluster.receiver.eventTypes().length,
      (count) => count >= 8,
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect([...cluster.receiver.countsByEventId().values()]).toEqual(Array(8).fill(1));
    expect(raisedTwice(await cluster.alertEvents())).toEqual([]);
  }, 180_000);

  it('kill -9 of the projector owner under write load: the standby takes over within 5 s, the read models equal a clean rebuild, no alert twice', async () => {
    await cluster.node('projector-1', 'projector,notifier');
    await cluster.node('projector-2', 'projector,notifier');
    const api = await cluster.node('api', 'api');
    const owner = (await cluster.holderOf('projection:alert_list')) as DrillNode;
    expect(owner).toBeDefined();

    let writing = true;
    let last = 0;
    let n = 0;
    const load = (async () => {
      while (writing) last = Math.max(last, await patientWithAlert(cluster, api, ++n));
    })();
    await eventually(
      () => n,
      (written) => written >= 5,
      30_000,
    );
    const killedAt = Date.now();
    await owner.process.kill();
    const taken = await eventually(
      async () => ({ alertList: await cluster.holderOf('projection:alert_list'), alerting: await cluster.holderOf('alerting') }),
      (holders) => holders.alertList !== undefined && holders.alertList !== owner && holders.alerting !== undefined && holders.alerting !== owner,
      10_000,
    );
    const takeoverMs = Date.now() - killedAt;
    console.info(`projector takeover after kill -9: ${takeoverMs} ms (to ${taken.alertList?.name})`);
    expect(takeoverMs).toBeLessThanOrEqual(5_000);
    // What an operator's dashboard shows: the node that took over reports the work as its own.
    const ownerMetrics = await cluster.get(taken.alertList as DrillNode, '/metrics').expect(200);
    expect(ownerMetrics.text).toMatch(/^vigil_role_owner\{role="projector"\} 1$/m);
    expect(ownerMetrics.text).toMatch(/^vigil_role_owner\{role="alerting"\} 1$/m);
    await eventually(
      () => n,
      (written) => written >= 15,
      60_000,
    );
    writing = false;
    await load;

    // A client retries after Retry-After while the new owner catches up from the checkpoint.
    const listed = await eventually(
      () => cluster.get(api, '/alerts').query({ limit: 500 }).set('X-Vigil-Min-Position', String(last)),
      (answer) => answer.status === 200,
      20_000,
    );
    expect(listed.body.items).toHaveLength(n);
    expect(raisedTwice(await cluster.alertEvents())).toEqual([]);

    // A clean rebuild of the same log, in a schema of its own, gives the same rows.
    const store = await createPostgresEventStore({ url: cluster.postgresUrl, schema: cluster.schema });
    const live = await ReadModelDatabase.open(await PostgresReadModelStore.open({ url: cluster.postgresUrl, schema: cluster.readSchema }));
    const clean = await ReadModelDatabase.open(await PostgresReadModelStore.open({ url: cluster.postgresUrl, schema: `${cluster.schema}_clean` }));
    try {
      await rebuildProjections({ store, db: clean });
      expect(await readModelRows(live)).toEqual(await readModelRows(clean));
    } finally {
      await cluster.query((client) => client.query(`DROP SCHEMA IF EXISTS ${cluster.schema}_clean CASCADE`));
      await Promise.all([store.close(), live.close(), clean.close()]);
    }
  }, 240_000);

  it('kill -9 of the notifier during delivery: every alert event delivered at least once, a repeat with the same event id', async () => {
    await cluster.node('projector', 'projector');
    await cluster.node('notifier-1', 'notifier');
    await cluster.node('notifier-2', 'notifier');
    const api = await cluster.node('api', 'api');
    const deliverer = (await cluster.holderOf('notifier')) as DrillNode;
    expect(deliverer).toBeDefined();

    let n = 0;
    const writes = (async () => {
      while (n < 30) await patientWithAlert(cluster, api, ++n);
    })();
    await eventually(
      () => cluster.receiver.eventTypes().length,
      (count) => count >= 5,
      30_000,
    );
    await deliverer.process.kill();
    await writes;

    const logged = await eventually(
      async () => (await cluster.alertEvents()).filter((e) => e.type === 'AlertRaised'),
      (raised) => raised.length >= 30,
      30_000,
    );
    expect(logged).toHaveLength(30);
    const delivered = await eventually(
      () => cluster.receiver.countsByEventId(),
      (counts) => logged.every((e) => counts.has(e.event_id)),
      30_000,
    );
    expect([...delivered.keys()].sort()).toEqual(logged.map((e) => e.event_id).sort());
    // A repeat (the kill fell between a 2xx and its record) is the same event: same id, same body.
    for (const [eventId, times] of delivered) {
      const bodies = new Set(cluster.receiver.received.filter((r) => r.headers['x-vigil-event-id'] === eventId).map((r) => r.body));
      expect({ eventId, times, bodies: bodies.size }).toEqual({ eventId, times, bodies: 1 });
    }
    console.info(`notifier kill -9: ${cluster.receiver.received.length} deliveries for ${logged.length} alert events`);
  }, 240_000);

  it('every Vigil connection cut (pg_terminate_backend): 503 with Retry-After at worst, recovery without restart, no acknowledged write lost', async () => {
    const node = await cluster.node('node', 'api,projector,notifier');
    const load = cluster.writeLoad(node);
    await load.acknowledgedMore(5, 30_000);
    let terminated = 0;
    for (let cut = 0; cut < 3; cut++) {
      const { rowCount } = await cluster.query((client) =>
        client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [cluster.schema]),
      );
      terminated += rowCount ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(terminated).toBeGreaterThan(0);
    await load.acknowledgedMore(5, 30_000);
    await load.stop();
    console.info(`answers while connections were cut: ${JSON.stringify(Object.fromEntries(load.statuses))}`);
    expect([...load.statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
    expect([...load.retryAfter].filter((seconds) => seconds !== '1')).toEqual([]);
    expect(await load.lost(20_000)).toEqual([]);
  }, 240_000);
});

const noPrivateCluster = privatePostgresUnavailable();
(noPrivateCluster ? describe.skip : describe)(`Drill: PostgreSQL restarted under load${noPrivateCluster ? ` [SKIPPED: ${noPrivateCluster}]` : ''}`, () => {
  it('answers 503 with Retry-After while the database is down, recovers without a restart of Vigil, loses no acknowledged write', async () => {
    const postgres = new PrivatePostgres(await freePort());
    postgres.start();
    const cluster = new Cluster(postgres.url, 'restart_drill');
    try {
      await cluster.start();
      const node = await cluster.node('node');
      const load = cluster.writeLoad(node, 100);
      await load.acknowledgedMore(5, 30_000);
      postgres.stop();
      // While it is down each write waits for a connection before its 503: on a loaded machine, seconds each.
      await eventually(
        () => load.statuses.get(503) ?? 0,
        (count) => count >= 2,
        45_000,
      );
      const whileDown = (await cluster.get(node, '/patients').catch(() => undefined))?.status;
      postgres.start();
      await load.acknowledgedMore(5, 60_000).catch((error: Error) => {
        const running = node.pid() === undefined ? 'its process has ended' : 'its process still runs';
        throw new Error(
          `${error.message}; answers ${JSON.stringify(Object.fromEntries(load.statuses))}; ${running}; the node's log:\n${node.process.log.slice(-4000)}`,
        );
      });
      await load.stop();
      console.info(`answers across a PostgreSQL restart: ${JSON.stringify(Object.fromEntries(load.statuses))}`);
      expect(whileDown).toBe(503);
      expect([...load.retryAfter]).toEqual(['1']);
      expect([...load.statuses.keys()].filter((status) => status !== 201 && status !== 503)).toEqual([]);
      expect(await load.lost(30_000)).toEqual([]);
    } finally {
      await cluster.stop().catch(() => undefined);
      postgres.destroy();
    }
  }, 240_000);
});
