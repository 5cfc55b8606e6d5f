import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCheckpoints, checkpointsInFile, signatureProblem } from '@vigil/audit';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { KAFKA_CHECKPOINT_HEADERS, verifyWebhookSignature } from '@vigil/messaging';
import { enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually, WEBHOOK_SECRET, WebhookReceiver } from './harness/webhook-receiver';
import { acceptsIdempotentProducers, freshTopic, readTopic } from './support/kafka';
import { describeWithService, findKafka } from './support/services';

jest.setTimeout(60_000);

describe('Each signed checkpoint leaves the database: the checkpoint file and the webhook', () => {
  let vigil: VigilHarness;
  let receiver: WebhookReceiver;
  let dir: string;
  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.listen();
    dir = mkdtempSync(join(tmpdir(), 'vigil-published-'));
    vigil = await startVigil({ env: { ...receiver.env, VIGIL_CHECKPOINT_LOG: join(dir, 'checkpoints.jsonl'), VIGIL_CHECKPOINT_EVERY: '3' } });
  });
  afterEach(async () => {
    await vigil.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends every checkpoint to VIGIL_CHECKPOINT_LOG and POSTs it, signed, as CheckpointSigned (no alert id)', async () => {
    for (const patientId of ['TR-SAT-001', 'TR-SAT-002', 'TR-SAT-003', 'TR-SAT-004'])
      await vigil.http().post('/patients').send(enrolment({ patientId })).expect(201);
    const latest = await vigil.app.get(AuditCheckpoints).checkpointNow();
    const stored = (await vigil.as('monitor').get('/audit/checkpoints').expect(200)).body.items;
    expect(stored.at(-1)).toEqual(latest);

    const file = join(dir, 'checkpoints.jsonl');
    await eventually(
      () => checkpointsInFile(file).length,
      (n) => n === stored.length,
    );
    expect(checkpointsInFile(file).map((c) => c.checkpoint)).toEqual(stored);
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0])).toMatchObject({ type: 'CheckpointSigned', schemaVersion: 1 });

    const published = () => receiver.received.filter((r) => r.headers['x-vigil-event-type'] === 'CheckpointSigned');
    await eventually(
      () => published().length,
      (n) => n === stored.length,
    );
    const key = vigil.app.get(AuditCheckpoints).publicKey!;
    for (const [i, { headers, body }] of published().entries()) {
      expect(verifyWebhookSignature(body, headers['x-vigil-signature'] as string, WEBHOOK_SECRET)).toBe(true);
      expect(headers['x-vigil-alert-id']).toBeUndefined();
      const message = JSON.parse(body);
      expect(message).toEqual({ type: 'CheckpointSigned', schemaVersion: 1, ...stored[i] });
      expect(signatureProblem(message, key)).toBeNull();
    }
  });
});

describeWithService('Signed checkpoints published to Kafka (VIGIL_KAFKA_CHECKPOINT_TOPIC)', findKafka, (kafka) => {
  let vigil: VigilHarness;
  afterEach(() => vigil?.close());

  it('publishes each checkpoint on its own topic, keyed by the key id, typed CheckpointSigned', async () => {
    const alerts = freshTopic('alerts');
    const checkpoints = freshTopic('checkpoints');
    const idempotent = await acceptsIdempotentProducers(kafka.url);
    vigil = await startVigil({
      env: {
        VIGIL_KAFKA_BROKERS: kafka.url,
        VIGIL_KAFKA_ALERT_TOPIC: alerts,
        VIGIL_KAFKA_CHECKPOINT_TOPIC: checkpoints,
        VIGIL_KAFKA_IDEMPOTENT: String(idempotent),
        VIGIL_ALERT_RETRY_BASE_MS: '50',
      },
    });
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    const checkpoint = await vigil.app.get(AuditCheckpoints).checkpointNow();
    const [message] = await readTopic(kafka.url, checkpoints, 1);
    expect(message.key).toBe(checkpoint?.keyId);
    expect(message.headers[KAFKA_CHECKPOINT_HEADERS.eventType]).toBe('CheckpointSigned');
    expect(message.headers[KAFKA_CHECKPOINT_HEADERS.treeSize]).toBe(String(checkpoint?.treeSize));
    expect(JSON.parse(message.value)).toEqual({ type: 'CheckpointSigned', schemaVersion: 1, ...checkpoint });
  });
});

describe('Signed where the projector role runs, served by API nodes', () => {
  let vigil: VigilHarness;
  afterEach(() => vigil?.close());

  it('an API-only node signs on no schedule of its own, only the head an export needs covered', async () => {
    vigil = await startVigil({ roles: ['api'], env: { VIGIL_CHECKPOINT_EVERY: '1', VIGIL_CHECKPOINT_INTERVAL_MS: '50' } });
    for (const patientId of ['TR-SAT-001', 'TR-SAT-002']) await vigil.http().post('/patients').send(enrolment({ patientId })).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await vigil.as('monitor').get('/audit/checkpoints').expect(200)).body.items).toEqual([]);
    const head = await vigil.app.get<symbol, EventStore>(EVENT_STORE).headPosition();
    const exported = JSON.parse((await vigil.as('monitor').get('/patients/TR-SAT-001/history/export').query({ format: 'json' }).expect(200)).text);
    expect(exported.checkpoint?.treeSize).toBeGreaterThanOrEqual(head);
    expect((await vigil.as('monitor').get('/audit/checkpoints').expect(200)).body.items).toEqual([exported.checkpoint]);
  });

  it('a node with the projector role signs them', async () => {
    vigil = await startVigil({ roles: ['api', 'projector'], env: { VIGIL_CHECKPOINT_EVERY: '1', VIGIL_CHECKPOINT_INTERVAL_MS: '50' } });
    for (const patientId of ['TR-SAT-001', 'TR-SAT-002']) await vigil.http().post('/patients').send(enrolment({ patientId })).expect(201);
    await eventually(
      async () => (await vigil.as('monitor').get('/audit/checkpoints').expect(200)).body.items.length,
      (n) => n > 0,
    );
  });
});

describe('GET /audit/checkpoints?after=&limit=', () => {
  let vigil: VigilHarness;
  afterEach(() => vigil?.close());

  it('answers the checkpoints with a tree size above `after`, smallest first, at most `limit`; a malformed one is a 400 naming it', async () => {
    // Checkpoints only when the test asks, so their tree sizes are known.
    vigil = await startVigil({ env: { VIGIL_CHECKPOINT_EVERY: '1000000', VIGIL_CHECKPOINT_INTERVAL_MS: '3600000' } });
    const signed: number[] = [];
    for (const patientId of ['TR-SAT-001', 'TR-SAT-002', 'TR-SAT-003']) {
      await vigil.http().post('/patients').send(enrolment({ patientId })).expect(201);
      signed.push((await vigil.app.get(AuditCheckpoints).checkpointNow())!.treeSize);
    }
    expect(signed).toEqual([...new Set(signed)].sort((a, b) => a - b));
    const page = async (query: Record<string, string>) =>
      ((await vigil.as('monitor').get('/audit/checkpoints').query(query).expect(200)).body.items as { treeSize: number }[]).map((c) => c.treeSize);
    expect(await page({ after: '0' })).toEqual(signed);
    expect(await page({ after: String(signed[0]) })).toEqual(signed.slice(1));
    expect(await page({ after: String(signed[0] - 1) })).toEqual(signed);
    expect(await page({ after: String(signed[1]), limit: '5' })).toEqual([signed[2]]);
    expect(await page({ after: String(signed[2]) })).toEqual([]);
    expect(await page({ after: '0', limit: '2' })).toEqual(signed.slice(0, 2));
    const refused = await vigil.as('monitor').get('/audit/checkpoints').query({ after: '-1' }).expect(400);
    expect(refused.body).toMatchObject({ errors: [{ field: 'after' }] });
  });
});
