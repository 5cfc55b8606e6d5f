import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENERATED_KEY_FILE } from '@vigil/audit';
import { adminToken, freePort, VigilProcess } from './harness/vigil-process';
import { daysAgo, enrolment } from './harness/vigil-harness';
import { eventually } from './harness/webhook-receiver';
import { sample } from './observability/prometheus-text';

jest.setTimeout(60_000);

const JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-characters';

type LogLine = Record<string, unknown> & { msg: string; context?: string; thread?: number };

/** `npm start` as shipped (apps/vigil main, every role on SQLite): the projector and notifier on a thread of their own (README "Both cores"). */
describe('The embedded default on both cores', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'vigil-threads-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const vigil = new VigilProcess('vigil', { VIGIL_DATA_DIR: dataDir, VIGIL_JWT_SECRET: JWT_SECRET, VIGIL_LOG_FORMAT: 'json', ...env }, await freePort());
    await vigil.start();
    return vigil;
  };
  const linesOf = (vigil: VigilProcess): LogLine[] =>
    vigil.log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);

  it('keeps the read models, raises and delivers alerts on the second thread; the API lists them at once and counts them', async () => {
    const vigil = await start();
    try {
      const bearer = `Bearer ${await adminToken(JWT_SECRET)}`;
      await vigil.http().post('/patients').set('Authorization', bearer).send(enrolment()).expect(201);
      const lab = await vigil
        .http()
        .post('/patients/TR-SAT-001/lab-results')
        .set('Authorization', bearer)
        .send({ test: 'PLAT', value: 72, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201);
      // Read-your-writes across the threads: the first GET after the POST lists the alert the other thread raised.
      const alerts = await vigil.http().get('/alerts?patientId=TR-SAT-001').set('Authorization', bearer).expect(200);
      expect(alerts.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ ruleId: 'TR-PLT', triggeredBy: lab.body.eventId })]));

      const lines = linesOf(vigil);
      // A fresh data directory: the embedded default made its audit signing key once (whichever thread was first), and says where.
      const generated = lines.filter((line) => line.msg.startsWith('generated the audit signing key'));
      expect(generated).toEqual([
        expect.objectContaining({
          level: 40,
          context: 'AuditCheckpoints',
          msg: `generated the audit signing key (Ed25519) in ${join(dataDir, GENERATED_KEY_FILE)}: back it up, and keep its public key outside this machine`,
        }),
      ]);
      const thread = lines.find((line) => line.msg.startsWith('Projector and notifier run on thread'));
      expect(thread?.msg).toMatch(/^Projector and notifier run on thread [1-9]\d*/);
      const threadId = Number(/thread (\d+)/.exec(thread!.msg)![1]);
      // The projector's and notifier's lines come from that thread; HTTP is answered on the main one.
      expect(lines.find((line) => line.context === 'Projector')).toMatchObject({ thread: threadId });
      expect(lines.find((line) => line.context === 'Notifier')).toMatchObject({ thread: threadId });
      const answered = await eventually(
        () => linesOf(vigil).find((line) => line.msg === 'request completed'),
        (line) => line !== undefined,
      );
      expect(answered?.thread).toBeUndefined();

      // The main thread's /metrics includes the other thread's: the alert raised, the leases it holds.
      const metrics = (await vigil.http().get('/metrics').expect(200)).text;
      expect(sample(metrics, 'vigil_alerts_raised_total', { rule: 'TR-PLT', severity: 'warning' })).toBe(1);
      for (const role of ['api', 'projector', 'alerting', 'notifier']) expect(sample(metrics, 'vigil_role_owner', { role })).toBe(1);
    } finally {
      await vigil.stop();
    }
  });

  it("signs checkpoints on the second thread, stored by the main thread's writes, and verifies them", async () => {
    // Every 2 events, and the odd tail (an alert raised last) after half a second rather than the default minute.
    const vigil = await start({ VIGIL_CHECKPOINT_EVERY: '2', VIGIL_CHECKPOINT_INTERVAL_MS: '500' });
    try {
      const bearer = `Bearer ${await adminToken(JWT_SECRET)}`;
      await vigil.http().post('/patients').set('Authorization', bearer).send(enrolment()).expect(201);
      for (const value of [72, 75, 150])
        await vigil
          .http()
          .post('/patients/TR-SAT-001/lab-results')
          .set('Authorization', bearer)
          .send({ test: 'PLAT', value, unit: '10*9/L', collectedAt: daysAgo(1) })
          .expect(201);
      const head = (await vigil.http().get('/health').expect(200)).body.eventStore.headPosition as number;
      const checkpoints = await eventually(
        async () => (await vigil.http().get('/audit/checkpoints').set('Authorization', bearer).expect(200)).body.items as { treeSize: number }[],
        (items) => items.some((c) => c.treeSize >= head), // the alerts raised since may be in it too
      );
      expect(head).toBeGreaterThanOrEqual(4);
      const verified = await vigil.http().get('/audit/verify').set('Authorization', bearer).expect(200);
      expect(verified.body).toMatchObject({ ok: true, checkpoints: { status: 'verified', ok: true, checked: checkpoints.length } });
    } finally {
      await vigil.stop();
    }
  });

  it('keeps one thread with VIGIL_PROJECTOR_THREAD=off', async () => {
    const vigil = await start({ VIGIL_PROJECTOR_THREAD: 'off' });
    try {
      const lines = linesOf(vigil);
      expect(lines.find((line) => line.context === 'Projector')).toBeDefined();
      expect(lines.filter((line) => line.thread !== undefined)).toEqual([]);
    } finally {
      await vigil.stop();
    }
  });

  it('does not go on silently when its projector thread fails: it says so and exits 1', async () => {
    const vigil = await start({ NODE_OPTIONS: `--require ${join(__dirname, 'support', 'projector-thread-fault.js')}` });
    try {
      // The fault fires in the projector thread when the main thread asks it for its metrics.
      await vigil
        .http()
        .get('/metrics')
        .catch(() => undefined);
      expect(await vigil.exited()).toBe(1);
      const said = linesOf(vigil).find((line) => line.msg.startsWith('The projector thread failed'));
      expect(said).toMatchObject({ level: 50, context: 'Vigil' });
      expect(said?.msg).toContain('the fault the test injects into the projector thread');
      expect(said?.msg).toContain('exiting');
    } finally {
      await vigil.stop();
    }
  });

  it('does not start without its projector thread: a thread that cannot start fails the process with its reason', async () => {
    // The notifier's outbox (opened on the projector thread only) is a folder: the thread cannot open it.
    const outbox = join(dataDir, 'outbox-is-a-folder');
    mkdirSync(outbox);
    await expect(start({ VIGIL_NOTIFIER_FILE: outbox })).rejects.toThrow(/exited 1:[\s\S]*Vigil could not start: the projector thread could not start: /);
  });
});
