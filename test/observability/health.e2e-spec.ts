import { randomUUID } from 'node:crypto';
import { AlertingReactor } from '@vigil/alerting';
import { enrol, recordPlatelets, startVigil, VigilHarness } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';
import { dropSchema } from '../event-store/support/schemas';
import { describeWithService, findPostgres } from '../support/services';
import { TcpCut } from './tcp-cut';

jest.setTimeout(60_000);

describe('GET /health/live and /health/ready on the embedded store', () => {
  let vigil: VigilHarness;
  beforeAll(async () => {
    vigil = await startVigil({ env: { VIGIL_READY_MAX_LAG: '0' } });
  });
  afterAll(() => vigil.close());

  it('answers live and ready without a token, and /health as before', async () => {
    expect((await vigil.anonymous().get('/health/live').expect(200)).body).toMatchObject({ status: 'ok' });
    const ready = await vigil.anonymous().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { eventStore: { status: 'up' }, readModels: { status: 'up', maxLag: 0 } } });
    expect((await vigil.anonymous().get('/health').expect(200)).body).toEqual({ status: 'ok', eventStore: { headPosition: expect.any(Number) } });
  });

  it('turns 503 while a read model is further behind the head than VIGIL_READY_MAX_LAG, naming it, and 200 once it caught up', async () => {
    const reactor = vigil.app.get(AlertingReactor);
    await reactor.stop();
    try {
      await enrol(vigil, { patientId: 'TR-SAT-201', disease: 'RA' });
      const behind = await vigil.anonymous().get('/health/ready').expect(503);
      expect(behind.body).toMatchObject({ status: 'error', error: { readModels: { status: 'down', message: expect.stringMatching(/alerting \(1\)/) } } });
    } finally {
      await reactor.start();
    }
    await eventually(
      () => vigil.anonymous().get('/health/ready'),
      (res) => res.status === 200,
    );
  });
});

describeWithService('GET /health/ready when the PostgreSQL event store becomes unreachable', findPostgres, (postgres) => {
  let vigil: VigilHarness;
  let link: TcpCut;
  const schema = `ops_ready_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    const target = new URL(postgres.url);
    link = new TcpCut(target.hostname, Number(target.port || 5432));
    await link.open();
    const proxied = new URL(postgres.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(link.port);
    vigil = await startVigil({
      env: { VIGIL_EVENT_STORE: 'postgres', VIGIL_POSTGRES_URL: proxied.toString(), VIGIL_POSTGRES_SCHEMA: schema, VIGIL_READY_TIMEOUT_MS: '1000' },
    });
  });
  afterAll(async () => {
    await link?.open();
    await vigil?.close();
    await dropSchema(postgres.url, schema);
    await link?.cut();
  });

  it('is ready, then 503 naming the store while the link is cut, then ready again once it is back', async () => {
    await enrol(vigil, { patientId: 'TR-SAT-301', disease: 'RA' });
    await recordPlatelets(vigil, 'TR-SAT-301', 150);
    await eventually(
      () => vigil.anonymous().get('/health/ready'),
      (res) => res.status === 200,
    );

    await link.cut();
    const down = await vigil.anonymous().get('/health/ready').expect(503);
    expect(down.body).toMatchObject({
      status: 'error',
      error: { eventStore: { status: 'down', message: expect.stringMatching(/^the event store does not answer/) } },
    });
    // Alive all the same: restarting the process would not bring the network back.
    await vigil.anonymous().get('/health/live').expect(200);

    await link.open();
    const back = await eventually(
      () => vigil.anonymous().get('/health/ready'),
      (res) => res.status === 200,
      20_000,
    );
    expect(back.body.details.eventStore).toMatchObject({ status: 'up', headPosition: expect.any(Number) });
  });
});
