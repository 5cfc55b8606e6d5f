import { AlertingReactor } from '@vigil/alerting';
import { freePort } from '../harness/vigil-process';
import { daysAgo, enrol, recordPlatelets, startVigil, VigilHarness } from '../harness/vigil-harness';
import { eventually } from '../harness/webhook-receiver';
import { families, sample } from './prometheus-text';

jest.setTimeout(30_000);

describe('GET /metrics: what an operator scrapes', () => {
  let vigil: VigilHarness;

  beforeAll(async () => {
    // A webhook nobody listens on: every delivery fails, and waits in the outbox.
    const deadPort = await freePort();
    vigil = await startVigil({
      env: {
        VIGIL_ALERT_WEBHOOK_URL: `http://127.0.0.1:${deadPort}/hook`,
        VIGIL_ALERT_WEBHOOK_SECRET: 'a-webhook-secret-for-tests',
        VIGIL_ALERT_RETRY_BASE_MS: '50',
        VIGIL_ALERT_RETRY_MAX_MS: '200',
        VIGIL_ALERT_POLL_MS: '50',
      },
    });
  });
  afterAll(() => vigil.close());

  const scrape = async () => {
    const res = await vigil.anonymous().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  it('has a sample of every family on a fresh node, before any work: 0 for each channel, rule and severity, outcome', async () => {
    const first = await scrape();
    for (const channel of ['log', 'webhook']) {
      expect(sample(first, 'vigil_outbox_backlog', { channel })).toBe(0);
      expect(sample(first, 'vigil_delivery_failures_total', { channel })).toBe(0);
    }
    // Each rule of the catalogue at the severities it can raise (docs/safety-rules.md §8): a grade can make TR-PLT critical, never TR-WBC a warning.
    expect(sample(first, 'vigil_alerts_raised_total', { rule: 'TR-PLT', severity: 'warning' })).toBe(0);
    expect(sample(first, 'vigil_alerts_raised_total', { rule: 'TR-PLT', severity: 'critical' })).toBe(0);
    expect(sample(first, 'vigil_alerts_raised_total', { rule: 'TR-WBC', severity: 'critical' })).toBe(0);
    expect(sample(first, 'vigil_alerts_raised_total', { rule: 'TR-WBC', severity: 'warning' })).toBeUndefined();
    expect(sample(first, 'vigil_alerts_raised_total', { rule: 'DOSE-AFTER-STOP', severity: 'warning' })).toBe(0);
    for (const outcome of ['appended', 'duplicate', 'conflict', 'failed']) {
      expect(sample(first, 'vigil_appends_total', { outcome })).toBeDefined();
      expect(sample(first, 'vigil_append_duration_seconds_count', { outcome })).toBeDefined();
    }
    expect(sample(first, 'vigil_append_duration_seconds_count', { outcome: 'conflict' })).toBe(0);
    expect(sample(first, 'vigil_projection_lag_events', { projection: 'alerting' })).toBeDefined();
    expect(sample(first, 'vigil_projection_lag_seconds', { projection: 'alerting' })).toBeDefined();
    expect(sample(first, 'vigil_role_owner', { role: 'api' })).toBeDefined();
    // A request is timed once answered: the first scrape is in the second.
    expect(sample(await scrape(), 'http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status: '200', status_code: '200' })).toBe(1);
  });

  it('answers without a token and declares every family the README lists, Node defaults included', async () => {
    const kinds = families(await scrape());
    expect(Object.fromEntries([...kinds].filter(([name]) => name.startsWith('vigil_') || name.startsWith('http_')))).toEqual({
      http_request_duration_seconds: 'histogram',
      vigil_appends_total: 'counter',
      vigil_append_duration_seconds: 'histogram',
      vigil_projection_lag_events: 'gauge',
      vigil_projection_lag_seconds: 'gauge',
      vigil_outbox_backlog: 'gauge',
      vigil_delivery_failures_total: 'counter',
      vigil_alerts_raised_total: 'counter',
      vigil_role_owner: 'gauge',
    });
    expect(kinds.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(kinds.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('reports the roles this all-in-one process runs', async () => {
    const text = await scrape();
    for (const role of ['api', 'projector', 'alerting', 'notifier']) expect(sample(text, 'vigil_role_owner', { role })).toBe(1);
  });

  it('counts appends, the alert a 79 × 10⁹/L platelet count raises, the request by route template, and the failing webhook', async () => {
    const before = await scrape();
    await enrol(vigil, { patientId: 'TR-SAT-101', disease: 'RA' });
    await recordPlatelets(vigil, 'TR-SAT-101', 79);
    await vigil.settled();

    const after = await scrape();
    const appended = (text: string) => sample(text, 'vigil_appends_total', { outcome: 'appended' }) ?? 0;
    // The enrolment, the lab result and the alert the reactor raised: three appends at least.
    expect(appended(after) - appended(before)).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'vigil_append_duration_seconds_count', { outcome: 'appended' })).toBe(appended(after));
    expect(sample(after, 'vigil_alerts_raised_total', { rule: 'TR-PLT', severity: 'warning' })).toBe(1);
    // By route and status (issue 13); status_code, the same value, kept for the dashboards written before.
    expect(sample(after, 'http_request_duration_seconds_count', { method: 'POST', route: '/patients/:patientId/lab-results', status: '201' })).toBe(1);
    expect(sample(after, 'http_request_duration_seconds_count', { method: 'POST', route: '/patients', status: '201', status_code: '201' })).toBe(1);
    expect(sample(after, 'http_request_duration_seconds_count', { route: '/patients', status: '201', status_code: '201' })).toBe(1);
    expect(sample(after, 'http_request_duration_seconds_count', { route: '/patients', status_code: '201' })).toBe(1);

    // The raise is in the outbox for the log and the webhook; the webhook refuses it, again and again.
    const failing = await eventually(scrape, (text) => (sample(text, 'vigil_delivery_failures_total', { channel: 'webhook' }) as number) >= 2, 10_000);
    expect(sample(failing, 'vigil_outbox_backlog', { channel: 'webhook' })).toBe(1);
    expect(sample(failing, 'vigil_outbox_backlog', { channel: 'log' })).toBe(0);
    expect(sample(failing, 'vigil_delivery_failures_total', { channel: 'log' })).toBe(0);
  });

  it('shows a reactor falling behind, in events and seconds, and catching up again', async () => {
    const reactor = vigil.app.get(AlertingReactor);
    await vigil.settled();
    expect(sample(await scrape(), 'vigil_projection_lag_events', { projection: 'alerting' })).toBe(0);
    await reactor.stop();
    try {
      await recordPlatelets(vigil, 'TR-SAT-101', 150, daysAgo(0));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const behind = await scrape();
      expect(sample(behind, 'vigil_projection_lag_events', { projection: 'alerting' })).toBe(1);
      expect(sample(behind, 'vigil_projection_lag_seconds', { projection: 'alerting' })).toBeGreaterThanOrEqual(1);
      expect(sample(behind, 'vigil_projection_lag_events', { projection: 'safety' })).toBeDefined();
    } finally {
      await reactor.start();
    }
    const caughtUp = await eventually(scrape, (text) => sample(text, 'vigil_projection_lag_events', { projection: 'alerting' }) === 0, 10_000);
    expect(sample(caughtUp, 'vigil_projection_lag_seconds', { projection: 'alerting' })).toBe(0);
  });
});
