import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'supertest';
import { daysAgo, enrolment, startVigil } from './harness/vigil-harness';
import { adminToken, freePort, VigilProcess } from './harness/vigil-process';
import { eventually, WebhookReceiver } from './harness/webhook-receiver';

/** Deliveries the notifier has not yet recorded as done, read from its outbox file. */
function pendingDeliveries(dataDir: string): number {
  const db = new Database(join(dataDir, 'notifier.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM deliveries WHERE status = 'pending'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
const JWT_SECRET = 'crash-recovery token secret, long enough for HS256';

type Post = (path: string, body: object) => Test;

/** The same clinical story, told to any Vigil: what alerts it must end with is known from docs/safety-rules.md. */
async function recordStory(post: Post): Promise<void> {
  await post('/patients', enrolment({ patientId: 'TR-SAT-001', disease: 'RA', sex: 'F', birthYear: 1950, weightKg: 60 })).expect(201);
  await post('/patients', enrolment({ patientId: 'TR-PBR-002', siteId: 'PBR', disease: 'AIH' })).expect(201);
  const lab = (patientId: string, body: object) => post(`/patients/${patientId}/lab-results`, { collectedAt: daysAgo(1), ...body }).expect(201);
  await lab('TR-SAT-001', { test: 'PLAT', value: 79000, unit: '/mm3' }); // TR-PLT
  await lab('TR-SAT-001', { test: 'PLAT', value: 80, unit: '10*9/L' }); // exactly 80: nothing
  await lab('TR-SAT-001', { test: 'ALT', value: 240, unit: 'U/L', referenceRange: { high: 40 } }); // TR-ALT (6 × ULN)
  await lab('TR-PBR-002', { test: 'ALT', value: 240, unit: 'U/L', referenceRange: { high: 40 } }); // AIH: no TR-ALT, but grade 3: CTCAE-LAB
  await lab('TR-SAT-001', { test: 'CREAT', value: 150, unit: 'umol/L' }); // CrCl ≈ 31 mL/min: TR-CRCL
}

interface AlertItem {
  patientId: string;
  ruleId: string;
  value: number;
  unit: string;
  status: string;
}
const essentials = (items: AlertItem[]) =>
  items.map(({ patientId, ruleId, value, unit, status }) => ({ patientId, ruleId, value, unit, status })).sort((a, b) => a.ruleId.localeCompare(b.ruleId));

describe('A crash between an append and its projection', () => {
  let receiver: WebhookReceiver;
  let dataDir: string;
  const processes: VigilProcess[] = [];

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    await receiver.listen();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
  });
  afterEach(async () => {
    for (const p of processes) await p.kill();
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ends, after restarts, with exactly the alerts a clean run gives, each delivered once to the webhook', async () => {
    const env = {
      VIGIL_DATA_DIR: dataDir,
      VIGIL_JWT_SECRET: JWT_SECRET,
      ...receiver.env,
    };
    const token = await adminToken(JWT_SECRET);
    const start = async (app: 'vigil' | 'api') => {
      const p = new VigilProcess(app, env, await freePort());
      processes.push(p);
      await p.start();
      return p;
    };

    // The clean run, in process, for comparison.
    const clean = await startVigil();
    await recordStory((path, body) => clean.http().post(path).send(body));
    const expected = essentials((await clean.http().get('/alerts').expect(200)).body.items);
    await clean.close();
    expect(expected.map((a) => a.ruleId)).toEqual(['CTCAE-LAB', 'TR-ALT', 'TR-CRCL', 'TR-PLT']);

    // 1. Every record is appended and acknowledged, then the power goes before any projection ran
    //    (the API process has no projector: what a crash right after the append leaves behind).
    const api = await start('api');
    await recordStory((path, body) => api.http().post(path).set('Authorization', `Bearer ${token}`).send(body));
    await api.kill();
    expect(receiver.received).toHaveLength(0);

    // 2. Vigil comes back on the same data: it projects what was appended, raises and delivers the alerts.
    let vigil = await start('vigil');
    const alerts = () =>
      vigil
        .http()
        .get('/alerts')
        .set('Authorization', `Bearer ${token}`)
        .expect(200)
        .then((res) => essentials(res.body.items));
    expect(await alerts()).toEqual(expected);
    await eventually(
      () => receiver.received.length,
      (n) => n >= expected.length,
    );
    // Crash after the deliveries are recorded as done: a kill between a receiver's 2xx and that record is
    // the one window where a delivery repeats (receivers drop it by X-Vigil-Event-Id); not this test's crash.
    await eventually(
      () => pendingDeliveries(dataDir),
      (n) => n === 0,
    );

    // 3. Another power cut, another restart: the same alerts, nothing delivered twice.
    await vigil.kill();
    vigil = await start('vigil');
    expect(await alerts()).toEqual(expected);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the notifier polls every 20 ms: ample time to (wrongly) redeliver
    const counts = receiver.countsByEventId();
    expect(counts.size).toBe(expected.length);
    expect([...counts.values()]).toEqual(expected.map(() => 1));
  }, 120_000);
});
