import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminToken, freePort, VigilProcess } from '../harness/vigil-process';
import { enrolment } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';

jest.setTimeout(60_000);

const JWT_SECRET = 'a-jwt-secret-of-at-least-thirty-two-characters';

/** What Vigil writes to a pipe (a container's stdout): one JSON object a line, each request with its ids. */
describe('Logs when stdout is not a terminal', () => {
  let vigil: VigilProcess;
  let dataDir: string;
  const lines = () =>
    vigil.log
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`not a JSON line: ${line}`);
        }
      });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
    vigil = new VigilProcess('vigil', { VIGIL_DATA_DIR: dataDir, VIGIL_JWT_SECRET: JWT_SECRET, VIGIL_LOG_FORMAT: '' }, await freePort());
    await vigil.start();
  });
  afterAll(async () => {
    await vigil.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes only JSON lines, with level, time and message, from start-up on', () => {
    const all = lines();
    expect(all.length).toBeGreaterThan(0);
    for (const line of all) expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number), msg: expect.any(String) });
    expect(all.some((line) => String(line.msg).startsWith('Vigil listening on'))).toBe(true);
  });

  it("keeps the caller's X-Request-Id and X-Correlation-Id on the request's line, and echoes the request id", async () => {
    const token = await adminToken(JWT_SECRET);
    const res = await vigil
      .http()
      .post('/patients')
      .set('Authorization', `Bearer ${token}`)
      .set('X-Request-Id', 'lb-7f3a9c')
      .set('X-Correlation-Id', 'batch-2026-12-02')
      .send(enrolment({ patientId: 'TR-SAT-401', disease: 'RA' }))
      .expect(201);
    expect(res.headers['x-request-id']).toBe('lb-7f3a9c');
    const line = await eventually(
      () => lines().find((l) => (l.req as { id?: string } | undefined)?.id === 'lb-7f3a9c'),
      (found) => found !== undefined,
    );
    expect(line).toMatchObject({
      msg: 'request completed',
      requestId: 'lb-7f3a9c',
      correlationId: 'batch-2026-12-02',
      req: { method: 'POST', url: '/patients' },
      res: { statusCode: 201 },
      responseTime: expect.any(Number),
    });
    // The bearer token never reaches the log.
    expect(vigil.log).not.toContain(token);
  });

  it('makes a request id when none comes, and the events the request records carry it as their correlation id', async () => {
    const token = await adminToken(JWT_SECRET);
    const res = await vigil
      .http()
      .post('/patients')
      .set('Authorization', `Bearer ${token}`)
      .send(enrolment({ patientId: 'TR-SAT-402', disease: 'RA' }))
      .expect(201);
    const requestId = res.headers['x-request-id'];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const events = await vigil.http().get('/patients/TR-SAT-402/events').set('Authorization', `Bearer ${token}`).expect(200);
    const recorded = (events.body.items ?? events.body) as { metadata: { correlationId: string } }[];
    expect(recorded[0].metadata.correlationId).toBe(requestId);
    const line = await eventually(
      () => lines().find((l) => (l.req as { id?: string } | undefined)?.id === requestId),
      (found) => found !== undefined,
    );
    expect(line).toMatchObject({ requestId, correlationId: requestId, res: { statusCode: 201 } });
  });
});
