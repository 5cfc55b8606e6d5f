import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ReadModelProgress } from '@vigil/projections';
import { patientStream } from '@vigil/domain';
import { labResultRecorded, patientEnrolled, patientId as benchPatientId } from '../../bench/support/trial-events';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { loadDemoCohort } from '../../apps/vigil/src/demo/demo-cohort';
import { DEMO_USERS } from '../../apps/vigil/src/console/demo-users';
import { daysAgo, startVigil, VigilHarness } from '../harness/vigil-harness';
import { ARTIFACTS, consoleErrors, describeInBrowser, launchChromium, seriousViolations } from './support/browser';
import { ensureConsoleBuilt } from './support/console-build';

/**
 * The console in headless Chromium against a Vigil started with --demo: the demo cohort, demo users by role.
 * One Vigil and one browser for the file (CI time); each test its own browser context (its own session).
 */
jest.setTimeout(30_000);

describeInBrowser('The console in a browser (embedded mode, demo cohort)', () => {
  let vigil: VigilHarness;
  let browser: Browser;
  let base: string;
  let context: BrowserContext;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    ensureConsoleBuilt();
    vigil = await startVigil({ demo: true });
    await loadDemoCohort(vigil.app);
    await settled();
    await vigil.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(vigil.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  });
  afterEach(() => context.close());
  afterAll(async () => {
    writeFileSync(join(ARTIFACTS, 'console-figures.json'), JSON.stringify(figures, null, 2));
    await browser?.close();
    await vigil?.close();
  });

  const settled = async () => vigil.app.get(ReadModelProgress).waitForPosition(await vigil.app.get<symbol, EventStore>(EVENT_STORE).headPosition());

  async function signIn(role: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(base + '/');
    const user = DEMO_USERS.find((u) => u.role === role);
    await page.getByRole('button', { name: new RegExp(`: ${user?.name}$`) }).click();
    await page.getByRole('heading', { level: 1, name: 'Alert inbox' }).waitFor();
    return page;
  }

  async function expectAccessible(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
  }

  it('offers the demo users by role on a sign-in page that says it is the embedded mode, and loads with no browser error', async () => {
    const page = await context.newPage();
    const errors = consoleErrors(page);
    await page.goto(base + '/');
    await page.getByRole('button', { name: /Safety officer: Sam Safety/ }).waitFor();
    await expect(page.getByRole('note').textContent()).resolves.toMatch(/Embedded mode.*demo cohort/s);
    await expectAccessible(page, 'sign-in');
    // Figures for the README (not judged here): from navigation to the page being usable, once the browser is warm.
    await page.reload();
    await page.getByRole('button', { name: /Safety officer: Sam Safety/ }).waitFor();
    figures.signInInteractiveMs = Math.round(await page.evaluate(() => performance.now()));

    await page.getByRole('button', { name: /Safety officer: Sam Safety/ }).click();
    await page.locator('tr.alert').first().waitFor();
    await page.reload();
    await page.locator('tr.alert').first().waitFor();
    figures.inboxInteractiveMs = Math.round(await page.evaluate(() => performance.now()));
    expect(errors).toEqual([]);
  });

  it.each(DEMO_USERS.map((u) => [u.role, u.name] as const))('signs in as the demo %s and shows the pages that role may see', async (role, name) => {
    const page = await signIn(role);
    await expect(page.locator('.who').textContent()).resolves.toContain(name);
    const nav = await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents();
    expect(nav).toEqual(['Alert inbox', 'Patients', ...(role === 'data_manager' || role === 'admin' ? ['Projections & audit'] : [])]);
  });

  it('shows the demo alerts in the inbox, open first, as GET /alerts lists them', async () => {
    const page = await signIn('safety_officer');
    const listed = (await vigil.as('safety_officer').get('/alerts').query({ limit: 500 }).expect(200)).body.items as {
      alertId: string;
      ruleId: string;
      status: string;
    }[];
    expect(listed.length).toBeGreaterThan(3);
    await page.locator(`tr[data-alert-id="${listed[0].alertId}"]`).waitFor();
    const shown = await page.locator('tr.alert').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-alert-id')));
    expect(new Set(shown)).toEqual(new Set(listed.map((a) => a.alertId)));
    await expect(page.locator('tr.alert').first().locator('.badge').first().textContent()).resolves.toMatch(/^open/);
    await expect(page.getByRole('table').textContent()).resolves.toContain('TR-PLT');
    await expectAccessible(page, 'inbox');
  });

  it('shows a lab result posted through the API in the open inbox without a reload', async () => {
    const page = await signIn('safety_officer');
    await page.locator('[data-feed="live"]').waitFor();
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    const posted = Date.now();
    const lab = await vigil
      .as('investigator', ['PSL'])
      .post('/patients/TR-PSL-001/lab-results')
      .send({ test: 'PLAT', value: 41, unit: '10*9/L', collectedAt: daysAgo(0.5) })
      .expect(201);
    await settled();
    const alerts = (await vigil.as('safety_officer').get('/alerts').query({ patientId: 'TR-PSL-001' }).expect(200)).body.items as {
      alertId: string;
      triggeredBy: string;
    }[];
    const raised = alerts.find((a) => a.triggeredBy === lab.body.eventId);
    expect(raised).toBeDefined();

    await page.locator(`tr[data-alert-id="${raised?.alertId}"]`).waitFor({ timeout: 5000 });
    figures.labPostToInboxRowMs = Date.now() - posted;
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    await expect(page.getByRole('status').first().textContent()).resolves.toMatch(/New .* alert TR-PLT for patient TR-PSL-001/);
  });

  it('marks an alert a correction updated (before → after, and why), and a closed SAE clock with its report, late in red', async () => {
    const page = await signIn('safety_officer');
    const all = (await vigil.as('safety_officer').get('/alerts').query({ limit: 500 }).expect(200)).body.items as {
      alertId: string;
      ruleId: string;
      late?: boolean;
      updates: unknown[];
    }[];
    const updated = all.find((a) => a.ruleId === 'TR-LYM' && a.updates.length > 0);
    const late = all.find((a) => a.ruleId === 'SAE-24H' && a.late === true);
    expect(updated && late).toBeDefined();
    const detail = (alertId: string) => page.locator(`tr[data-alert-id="${alertId}"] + tr.alert-detail`);
    await expect(
      detail(updated?.alertId ?? '')
        .locator('p.updated')
        .textContent(),
    ).resolves.toMatch(/Updated .* 0\.55 ×10⁹\/L, grade 2, warning → 0\.15 ×10⁹\/L, grade 4, critical \(Transcription error/);
    await expect(
      detail(late?.alertId ?? '')
        .locator('p.closed.late')
        .textContent(),
    ).resolves.toMatch(/reported .* \(SPONSOR-2026-0007\), after the deadline \(late\)/);
    await expect(detail(late?.alertId ?? '').textContent()).resolves.not.toContain('updates');
  });

  it('acknowledges an alert from the inbox with a note, and GET /alerts then lists it acknowledged', async () => {
    const page = await signIn('safety_officer');
    const open = (await vigil.as('safety_officer').get('/alerts').query({ status: 'open', patientId: 'TR-PSL-001' }).expect(200)).body.items as {
      alertId: string;
    }[];
    const alertId = open[0].alertId;
    const row = page.locator(`tr[data-alert-id="${alertId}"]`);
    await row.getByRole('button', { name: /Acknowledge/ }).click();
    // Keyboard alone: the note field has the focus, Tab reaches the confirmation.
    await page.keyboard.type('Called the site: platelets rechecked tomorrow');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await row.locator('.badge', { hasText: 'acknowledged' }).waitFor();

    const after = await vigil.as('safety_officer').get(`/alerts`).query({ patientId: 'TR-PSL-001', status: 'acknowledged' }).expect(200);
    expect(after.body.items).toContainEqual(
      expect.objectContaining({
        alertId,
        status: 'acknowledged',
        acknowledgementNote: 'Called the site: platelets rechecked tomorrow',
        acknowledgedByName: 'Sam Safety',
      }),
    );
  });

  it('replays a patient as known before a correction: the as-of control shows the value as first recorded', async () => {
    const recorded = await vigil
      .as('investigator', ['PSL'])
      .post('/patients/TR-PSL-001/lab-results')
      .send({ test: 'HGB', value: 71, unit: 'g/L', collectedAt: daysAgo(0.2) })
      .expect(201);
    const between = new Date(Date.now() + 1100);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    await vigil
      .as('data_manager')
      .post(`/patients/TR-PSL-001/lab-results/${recorded.body.eventId}/corrections`)
      .send({ value: 117, reason: 'Transcription error: the lab report reads 117' })
      .expect(201);

    const page = await signIn('monitor');
    await page.goto(`${base}/#/patients/TR-PSL-001`);
    const row = page.locator(`tr[data-lab-id="${recorded.body.eventId}"] .lab-value`);
    await page.getByText('HGB: the').first().click();
    await expect(row.textContent()).resolves.toBe('117 g/L');

    await page.getByLabel('As known at (UTC)').fill(between.toISOString().slice(0, 19));
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText(/Replayed: the patient as Vigil knew it at/).waitFor();
    await expect(row.textContent()).resolves.toBe('71 g/L');
    await expectAccessible(page, 'patient');
  });

  it('does not show a monitor the projections page: no link to it, and a plain refusal at its address', async () => {
    const page = await signIn('monitor');
    await expect(page.getByRole('link', { name: 'Projections & audit' }).count()).resolves.toBe(0);
    await page.goto(`${base}/#/projections`);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/A monitor may not see this page/);
  });

  it('shows a data manager every projection with its position and lag, rebuilds one with a progress bar, and verifies the audit trail', async () => {
    const page = await signIn('data_manager');
    await page.getByRole('link', { name: 'Projections & audit' }).click();
    const alertList = page.locator('tr[data-projection="alert_list"]');
    await alertList.waitFor();
    await alertList.getByRole('button', { name: 'Rebuild alert_list' }).click();
    await alertList.getByRole('progressbar', { name: 'Rebuild of alert_list' }).waitFor();
    await alertList.getByText(/100% · done/).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Verify the audit trail' }).click();
    await page.getByText(/✓ Intact: \d+ events in \d+ streams/).waitFor();
    await expectAccessible(page, 'projections');
  });

  it('lists the patients per site and disease with their open alerts and dose compliance', async () => {
    const page = await signIn('investigator');
    await page.getByRole('link', { name: 'Patients' }).click();
    await page.locator('tr[data-patient-id]').first().waitFor();
    const sites = await page.locator('tr[data-patient-id] td:nth-child(2)').allTextContents();
    expect(new Set(sites)).toEqual(new Set(['SAT', 'PSL']));
    await page.getByLabel('Site').selectOption('PSL');
    // TAK-1 of the demo: a severe arthralgia (AE-SEVERE) the safety officer has not acknowledged yet.
    const psl = page.locator('tr[data-patient-id="TR-PSL-013"]');
    await expect(psl.locator('td:nth-child(5)').textContent()).resolves.not.toBe('0');
    await psl
      .locator('td:nth-child(6)')
      .getByText(/^\d+ \/ \d+$/)
      .waitFor();
    await expectAccessible(page, 'patients');
  });

  it('keeps the page of a patient with 10 000 lab results usable: charts drawn from a thinned series, timeline and tables in pages', async () => {
    // Stored as the API stores them (bench/support/trial-events.ts), in batches: 10 000 commands one by one would take minutes.
    const patientId = benchPatientId(0);
    const store = vigil.app.get<symbol, EventStore>(EVENT_STORE);
    await store.append(patientStream(patientId), [patientEnrolled(0)], { expectedVersion: 0 });
    for (let from = 0; from < 10_000; from += 1_000) {
      const labs = Array.from({ length: 1_000 }, (_, i) => labResultRecorded(0, from + i, 997));
      await store.append(patientStream(patientId), labs, { expectedVersion: from + 1 });
    }
    await settled();

    const page = await signIn('monitor');
    const opened = Date.now();
    await page.goto(`${base}/#/patients/${patientId}`);
    await page.locator('.lab-chart canvas').first().waitFor({ timeout: 60_000 });
    figures.tenThousandLabsPageDrawnMs = Date.now() - opened;
    await expect(page.getByRole('img', { name: /^PLAT: 10000 results from/ }).count()).resolves.toBe(1);
    await page.getByText('PLAT: the 10000 results as a table').click();
    await page.getByText('Page 1 of 500').waitFor();
    const timeline = page.getByRole('navigation', { name: 'Pages of the timeline' });
    await expect(timeline.textContent()).resolves.toMatch(/Page 1 of 40\d/);
    const clicked = Date.now();
    await timeline.getByRole('button', { name: 'Older' }).click();
    await timeline.getByText(/Page 2 of/).waitFor();
    figures.tenThousandLabsTimelinePageMs = Date.now() - clicked;
    await page.screenshot({ path: join(ARTIFACTS, 'patient-10000-labs.png') });
  }, 300_000);
});
