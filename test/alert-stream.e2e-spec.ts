import { get, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Role } from '@vigil/domain';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

/** A client of `GET /alerts/stream` reading frames as a browser's EventSource does. */
class StreamClient {
  readonly frames: { id?: string; data?: Record<string, unknown>; comment?: string }[] = [];
  private response?: IncomingMessage;
  private waiters: (() => void)[] = [];
  status = 0;
  contentType = '';

  static async open(url: string, token: string, headers: Record<string, string> = {}): Promise<StreamClient> {
    const client = new StreamClient();
    await new Promise<void>((resolve, reject) => {
      get(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'text/event-stream', ...headers } }, (res) => {
        client.response = res;
        client.status = res.statusCode ?? 0;
        client.contentType = String(res.headers['content-type']);
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            client.take(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
          if (client.status !== 200) client.take(buffer);
        });
        resolve();
      }).on('error', reject);
    });
    return client;
  }

  private take(block: string): void {
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.frames.push({ comment: line.slice(1).trim() });
    }
    const id = /^id: (.*)$/m.exec(block)?.[1];
    const data = /^data: (.*)$/m.exec(block)?.[1];
    if (data !== undefined) this.frames.push({ id, data: JSON.parse(data) });
    else if (this.status !== 200 && block.startsWith('{')) this.frames.push({ data: JSON.parse(block) });
    this.waiters.splice(0).forEach((wake) => wake());
  }

  get events(): Record<string, unknown>[] {
    return this.frames.filter((f) => f.data).map((f) => f.data as Record<string, unknown>);
  }

  /** Waits until an event matches (10 s at most). */
  async next(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  close(): void {
    this.response?.destroy();
  }
}

describe('GET /alerts/stream: alert events pushed as server-sent events', () => {
  let vigil: VigilHarness;
  let base: string;
  const clients: StreamClient[] = [];

  beforeAll(async () => {
    vigil = await startVigil();
    await vigil.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(vigil.app.getHttpServer().address() as AddressInfo).port}`;
    for (const [patientId, siteId] of [
      ['TR-SAT-001', 'SAT'],
      ['TR-PSL-001', 'PSL'],
    ]) {
      await vigil.http().post('/patients').send(enrolment({ patientId, siteId })).expect(201);
    }
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  afterAll(() => vigil.close());

  const open = async (role: Role, sites: string[], query = '', headers: Record<string, string> = {}) => {
    const client = await StreamClient.open(`${base}/alerts/stream${query}`, await vigil.token({ role, sites }), headers);
    clients.push(client);
    return client;
  };
  const lowPlatelets = async (patientId: string) =>
    (
      await vigil
        .as('investigator', [patientId.split('-')[1]])
        .post(`/patients/${patientId}/lab-results`)
        .send({ test: 'PLAT', value: 60, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201)
    ).body.eventId as string;

  it('pushes the alert a lab result raises to an open stream, as JSON with its alert and patient ids', async () => {
    const stream = await open('safety_officer', []);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe('text/event-stream');
    const labId = await lowPlatelets('TR-SAT-001');

    const event = await stream.next((e) => e.type === 'AlertRaised' && (e.alert as { triggeredBy?: string })?.triggeredBy === labId);
    expect(event).toMatchObject({ patientId: 'TR-SAT-001', siteId: 'SAT', ruleId: 'TR-PLT', alertId: expect.any(String), alert: { status: 'open' } });
    const frame = stream.frames.find((f) => f.data === event);
    expect(frame?.id).toBe(String(event.position));
    // The alert the stream announced is the one GET /alerts lists.
    const listed = await vigil
      .as('safety_officer')
      .get(`/alerts/${event.alertId as string}`)
      .expect(200);
    expect(listed.body).toMatchObject({ patientId: 'TR-SAT-001', status: 'open' });
  });

  it("never shows an investigator an alert of another site's patient", async () => {
    const stream = await open('investigator', ['SAT']);
    await lowPlatelets('TR-PSL-001');
    const sat = await lowPlatelets('TR-SAT-001');
    await stream.next((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === sat);
    expect(stream.events.map((e) => e.siteId)).not.toContain('PSL');
  });

  it('applies the filters of GET /alerts: with status=acknowledged it shows the acknowledgement, not the raise', async () => {
    const stream = await open('safety_officer', [], '?status=acknowledged&patientId=TR-PSL-001');
    const labId = await lowPlatelets('TR-PSL-001');
    const raised = await vigil.as('safety_officer').get('/alerts').query({ patientId: 'TR-PSL-001', status: 'open' }).expect(200);
    const alert = (raised.body.items as { alertId: string; triggeredBy: string }[]).find((a) => a.triggeredBy === labId);
    await vigil.as('safety_officer').post(`/alerts/${alert?.alertId}/acknowledge`).send({ note: 'Called the site' }).expect(200);

    const event = await stream.next((e) => e.alertId === alert?.alertId);
    expect(event).toMatchObject({ type: 'AlertAcknowledged', alert: { status: 'acknowledged', acknowledgementNote: 'Called the site' } });
    expect(stream.events.filter((e) => e.type === 'AlertRaised')).toEqual([]);
  });

  it('applies the severity filter of GET /alerts: with severity=critical it shows a critical alert, not a warning', async () => {
    const stream = await open('safety_officer', [], '?severity=critical&patientId=TR-PSL-001');
    expect(stream.status).toBe(200);
    // docs/safety-rules.md: platelets at 60 × 10⁹/L are CTCAE grade 2 (a warning), white cells at 1.5 × 10⁹/L cross TR-WBC (critical).
    const warning = await lowPlatelets('TR-PSL-001');
    const critical = (
      await vigil
        .as('investigator', ['PSL'])
        .post('/patients/TR-PSL-001/lab-results')
        .send({ test: 'WBC', value: 1.5, unit: '10*9/L', collectedAt: daysAgo(1) })
        .expect(201)
    ).body.eventId as string;

    const event = await stream.next((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === critical);
    expect(event).toMatchObject({ type: 'AlertRaised', ruleId: 'TR-WBC', alert: { severity: 'critical' } });
    expect(stream.events.filter((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === warning)).toEqual([]);
    expect(stream.events.map((e) => (e.alert as { severity?: string })?.severity)).not.toContain('warning');
  });

  it('judges status=acknowledged on the alert as each event left it: catching up over a raise acknowledged since sends only the acknowledgement', async () => {
    const labId = await lowPlatelets('TR-SAT-001');
    const listed = await vigil.as('safety_officer').get('/alerts').query({ patientId: 'TR-SAT-001', status: 'open' }).expect(200);
    const alert = (listed.body.items as { alertId: string; triggeredBy: string }[]).find((a) => a.triggeredBy === labId);
    await vigil.as('safety_officer').post(`/alerts/${alert?.alertId}/acknowledge`).send({ note: 'Seen on the ward round' }).expect(200);

    // Opened after both events, from the start of the log: the list already shows the alert acknowledged when the stream reads its raise.
    const stream = await open('safety_officer', [], '?status=acknowledged&patientId=TR-SAT-001', { 'Last-Event-ID': '0' });
    const event = await stream.next((e) => e.alertId === alert?.alertId);
    expect(event).toMatchObject({ type: 'AlertAcknowledged', alert: { status: 'acknowledged' } });
    expect(stream.events.map((e) => e.type)).toEqual(['AlertAcknowledged']);
  });

  it('judges the status as each event left the alert when resuming between its events: after a raise, status=open leaves out its acknowledgement', async () => {
    const first = await open('safety_officer', [], '?patientId=TR-SAT-001');
    const labId = await lowPlatelets('TR-SAT-001');
    const raise = await first.next((e) => e.type === 'AlertRaised' && (e.alert as { triggeredBy?: string })?.triggeredBy === labId);
    first.close();
    await vigil
      .as('safety_officer')
      .post(`/alerts/${raise.alertId as string}/acknowledge`)
      .send({ note: 'Seen on the ward round' })
      .expect(200);
    const later = await lowPlatelets('TR-SAT-001');

    // The acknowledgement is the first event of its alert this stream reads: the alert is folded from its stream up to it.
    const again = await open('safety_officer', [], '?status=open&patientId=TR-SAT-001', { 'Last-Event-ID': String(raise.position) });
    await again.next((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === later);
    expect(again.events.filter((e) => e.alertId === raise.alertId)).toEqual([]);
  });

  it('resumes after Last-Event-ID: an alert raised while the client was away is sent when it reconnects', async () => {
    const first = await open('safety_officer', [], '?patientId=TR-SAT-001');
    const before = await lowPlatelets('TR-SAT-001');
    const seen = await first.next((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === before);
    first.close();
    const missed = await lowPlatelets('TR-SAT-001');

    const again = await open('safety_officer', [], '?patientId=TR-SAT-001', { 'Last-Event-ID': String(seen.position) });
    const event = await again.next((e) => (e.alert as { triggeredBy?: string })?.triggeredBy === missed);
    expect(event.position as number).toBeGreaterThan(seen.position as number);
  });

  it('refuses a malformed filter or a filter GET /alerts does not have with 400 naming it, and no token with 401', async () => {
    const bogus = await open('safety_officer', [], '?status=lost');
    expect(bogus.status).toBe(400);
    await bogus.next((e) => typeof e.message === 'string');
    expect(JSON.stringify(bogus.events[0])).toMatch(/status/);
    const paged = await open('safety_officer', [], '?limit=5');
    expect(paged.status).toBe(400);
    const anonymous = await vigil.anonymous().get('/alerts/stream');
    expect(anonymous.status).toBe(401);
  });

  it('opens with a comment so the connection is seen as live at once', async () => {
    const stream = await open('monitor', []);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stream.frames[0]).toEqual({ comment: expect.stringMatching(/^following alert events after position \d+$/) });
  });
});
