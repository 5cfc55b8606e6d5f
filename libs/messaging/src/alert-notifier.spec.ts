import Database from 'better-sqlite3';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteEventStore, EventStore, NewEvent } from '@vigil/event-store';
import type { AlertChannel } from './alert-channel';
import { AlertNotifier, retryDelayMs } from './alert-notifier';
import { AlertOutbox } from './alert-outbox';
import { LogChannel } from './log-channel';
import { WebhookChannel } from './webhook-channel';
import { verifyWebhookSignature } from './webhook-signature';

const SECRET = 'a shared secret known to the receiver';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on a local port; it can be taken down and brought back on the same port. */
class Receiver {
  readonly received: Received[] = [];
  status = 204;
  private server?: Server;
  port = 0;

  async up(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.statusCode = this.status;
        res.end();
      });
    });
    this.server.listen(this.port, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/vigil-alerts`;
  }
}

const alertEvent = (type: string, alertId: string, data: Record<string, unknown> = {}): NewEvent => ({
  type,
  schemaVersion: 1,
  data: { alertId, ...data },
  metadata: { userId: 'vigil:safety-rules', role: 'system', occurredAt: '2026-03-02T08:00:00.000Z', correlationId: 'corr-1', causationId: 'lab-1' },
});

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AlertNotifier', () => {
  let dir: string;
  let receiver: Receiver;
  let store: EventStore;
  const running: AlertNotifier[] = [];
  const outboxes: AlertOutbox[] = [];

  const notifier = (file: string, channels: AlertChannel[], options = {}) => {
    const outbox = new AlertOutbox({ file });
    outboxes.push(outbox);
    const n = new AlertNotifier(store, outbox, channels, { retryBaseMs: 20, retryMaxMs: 80, pollMs: 20, ...options });
    running.push(n);
    return { notifier: n, outbox };
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-notifier-'));
    receiver = new Receiver();
    await receiver.up();
    store = await createSqliteEventStore({ file: ':memory:' });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((n) => n.stop()));
    await Promise.all(outboxes.splice(0).map((o) => o.close()));
    await receiver.down();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('POSTs the alert event as JSON with a signature the receiver verifies with the shared secret', async () => {
    const { events } = await store.append('alert-a1', [alertEvent('AlertRaised', 'a1', { ruleId: 'TR-PLT', value: 79, unit: '10*9/L' })], {
      expectedVersion: 'no_stream',
    });
    const { notifier: n } = notifier(':memory:', [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await n.start();
    await until(() => receiver.received.length === 1);

    const [{ headers, body }] = receiver.received;
    expect(verifyWebhookSignature(body, headers['x-vigil-signature'] as string, SECRET)).toBe(true);
    expect(verifyWebhookSignature(body, headers['x-vigil-signature'] as string, 'another secret')).toBe(false);
    expect(headers['x-vigil-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(headers['x-vigil-event-id']).toBe(events[0].eventId);
    expect(headers['x-vigil-alert-id']).toBe('a1');
    expect(headers['x-vigil-event-type']).toBe('AlertRaised');
    expect(headers['content-type']).toBe('application/json');
    expect(JSON.parse(body)).toEqual({
      eventId: events[0].eventId,
      type: 'AlertRaised',
      schemaVersion: 1,
      alertId: 'a1',
      ruleId: 'TR-PLT',
      value: 79,
      unit: '10*9/L',
      metadata: events[0].metadata,
    });
  });

  it('keeps retrying with growing delays while the receiver is down, then delivers exactly once', async () => {
    await receiver.down();
    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1')], { expectedVersion: 'no_stream' });
    const { notifier: n, outbox } = notifier(':memory:', [new WebhookChannel({ url: receiver.url, secret: SECRET, timeoutMs: 500 })]);
    await n.start();
    await until(async () => ((await outbox.deliveriesOf('a1'))[0]?.attempts ?? 0) >= 3);
    const [pending] = await outbox.deliveriesOf('a1');
    expect(pending.status).toBe('pending');
    expect(pending.attemptLog.every((a) => !a.ok && /failed/.test(a.error ?? ''))).toBe(true);
    expect(new Date(pending.nextAttemptAt!).getTime()).toBeGreaterThan(new Date(pending.attemptLog[pending.attemptLog.length - 1].at).getTime());

    await receiver.up();
    await until(async () => (await outbox.deliveriesOf('a1'))[0].status === 'delivered');
    await settle(150);
    expect(receiver.received).toHaveLength(1);
    const [delivered] = await outbox.deliveriesOf('a1');
    expect(delivered.attemptLog[delivered.attemptLog.length - 1]).toMatchObject({ ok: true, statusCode: 204 });
    expect(delivered.attempts).toBe(delivered.attemptLog.length);
  });

  it('treats a non-2xx answer as a failure and records its status', async () => {
    receiver.status = 503;
    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1')], { expectedVersion: 'no_stream' });
    const { notifier: n, outbox } = notifier(':memory:', [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await n.start();
    await until(() => receiver.received.length >= 2);
    receiver.status = 200;
    await until(async () => (await outbox.deliveriesOf('a1'))[0].status === 'delivered');
    const [delivery] = await outbox.deliveriesOf('a1');
    expect(delivery.attemptLog.filter((a) => !a.ok).every((a) => a.statusCode === 503)).toBe(true);
    expect(delivery.attemptLog.filter((a) => a.ok)).toHaveLength(1);
  });

  it('sends nothing twice after a restart, nor when the same events are taken from the log again', async () => {
    const file = join(dir, 'notifier.sqlite');
    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1')], { expectedVersion: 'no_stream' });
    await store.append('alert-a2', [alertEvent('AlertRaised', 'a2')], { expectedVersion: 'no_stream' });
    const first = notifier(file, [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await first.notifier.start();
    await until(() => receiver.received.length === 2);
    await first.notifier.stop();
    await first.outbox.close();

    await store.append('alert-a1', [alertEvent('AlertRetracted', 'a1', { reason: 'entered in error' })], { expectedVersion: 1 });
    const second = notifier(file, [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await second.notifier.start();
    await until(() => receiver.received.length === 3);
    const replayed: Parameters<AlertOutbox['record']>[0] = [];
    for await (const batch of store.readAll()) replayed.push(...batch);
    expect(await second.outbox.record(replayed, ['webhook'], 3)).toBe(0);
    await settle(150);

    expect(receiver.received.map((r) => r.headers['x-vigil-event-type'])).toEqual(['AlertRaised', 'AlertRaised', 'AlertRetracted']);
  });

  it('holds a later event of an alert until the earlier one got through on that channel', async () => {
    receiver.status = 500;
    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1'), alertEvent('AlertRetracted', 'a1')], { expectedVersion: 'no_stream' });
    const { notifier: n, outbox } = notifier(':memory:', [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await n.start();
    await until(() => receiver.received.length >= 2);
    expect(receiver.received.every((r) => r.headers['x-vigil-event-type'] === 'AlertRaised')).toBe(true);
    receiver.status = 200;
    await until(async () => (await outbox.deliveriesOf('a1')).every((d) => d.status === 'delivered'));
    const delivered = receiver.received.filter((r) => r.headers['x-vigil-event-type'] === 'AlertRetracted');
    expect(delivered).toHaveLength(1);
    expect(receiver.received[receiver.received.length - 1].headers['x-vigil-event-type']).toBe('AlertRetracted');
  });

  it('moves its position past events without alerts only now and then, and a restart reads them again delivering nothing twice', async () => {
    const lab = (n: number): NewEvent => ({ ...alertEvent('LabResultRecorded', 'x'), data: { patientId: 'p1', n } });
    await store.append('patient-p1', [lab(1), lab(2), lab(3)], { expectedVersion: 'no_stream' });
    const file = join(dir, 'notifier.sqlite');
    const first = notifier(file, [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await first.notifier.start();
    await settle(100);
    expect(await first.outbox.position()).toBe(0); // three events without alerts: not worth a write

    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1')], { expectedVersion: 'no_stream' });
    await until(() => receiver.received.length === 1);
    expect(await first.outbox.position()).toBe(4);
    await store.append('patient-p1', [lab(4)], { expectedVersion: 3 });
    await settle(100);
    await first.notifier.stop();
    await first.outbox.close();

    const again = notifier(file, [new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await again.notifier.start();
    await store.append('alert-a2', [alertEvent('AlertRaised', 'a2')], { expectedVersion: 'no_stream' });
    await until(() => receiver.received.length === 2);
    await settle(100);
    expect(receiver.received.map((r) => r.headers['x-vigil-alert-id'])).toEqual(['a1', 'a2']);
    expect(await again.outbox.position()).toBe(6);
  });

  it('keeps what a channel said of a delivery in its attempt log, also in an outbox made before attempts kept it', async () => {
    const file = join(dir, 'notifier.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE delivery_attempts (event_id TEXT NOT NULL, channel TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL,
      ok INTEGER NOT NULL, duration_ms INTEGER NOT NULL, status_code INTEGER, error TEXT, PRIMARY KEY (event_id, channel, attempt))`);
    old.close();
    const broker: AlertChannel = { name: 'broker', deliver: async () => ({ detail: 'vigil.alerts/2@41' }) };
    await store.append('alert-a1', [alertEvent('AlertRaised', 'a1')], { expectedVersion: 'no_stream' });
    const { notifier: n, outbox } = notifier(file, [broker]);
    await n.start();
    await until(async () => (await outbox.deliveriesOf('a1'))[0]?.status === 'delivered');
    expect((await outbox.deliveriesOf('a1'))[0].attemptLog).toEqual([expect.objectContaining({ ok: true, detail: 'vigil.alerts/2@41' })]);
  });

  it('delivers every alert event on every channel: raised, acknowledged, escalated, retracted (issue 13)', async () => {
    const lines: string[] = [];
    const log = new LogChannel({ log: (line: string) => lines.push(`log ${line}`), warn: (line: string) => lines.push(`warn ${line}`) });
    await store.append(
      'alert-a1',
      [alertEvent('AlertRaised', 'a1'), alertEvent('AlertAcknowledged', 'a1'), alertEvent('AlertEscalated', 'a1'), alertEvent('AlertRetracted', 'a1')],
      { expectedVersion: 'no_stream' },
    );
    await store.append('patient-p1', [{ ...alertEvent('LabResultRecorded', 'x'), data: { patientId: 'p1' } }], { expectedVersion: 'no_stream' });
    const { notifier: n, outbox } = notifier(':memory:', [log, new WebhookChannel({ url: receiver.url, secret: SECRET })]);
    await n.start();
    await until(() => receiver.received.length === 4 && lines.length === 4);
    expect(await outbox.position()).toBe(5);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['warn', 'log', 'warn', 'log']);
    expect(JSON.parse(lines[0].slice(5))).toMatchObject({ type: 'AlertRaised', alertId: 'a1' });
    expect(receiver.received.map((r) => r.headers['x-vigil-event-type'])).toEqual(['AlertRaised', 'AlertAcknowledged', 'AlertEscalated', 'AlertRetracted']);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base and stops growing at the cap', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => retryDelayMs(n, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});
