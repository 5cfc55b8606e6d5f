import { RULES } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { ReadModelProgress } from '@vigil/projections';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually, WebhookReceiver } from './harness/webhook-receiver';

/**
 * The clinical judgement over HTTP, as a site and a safety officer use it: severe results in every disease,
 * Hy's law, corrections that worsen a result, the SAE and SUSAR clocks with their reports, the dosing grid,
 * treatment status, and the rule catalogue (docs/safety-rules.md).
 */
jest.setTimeout(60_000);

const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Alert {
  alertId: string;
  patientId: string;
  ruleId: string;
  status: string;
  grade: number | null;
  severity: string;
  value: number | null;
  normalisedValue: number | null;
  escalated: boolean;
  overdue: boolean;
  deadline?: string;
  reportedAt?: string;
  late?: boolean;
  reportReference?: string;
  retractedBy?: string;
  updates: { correctionEventId: string; current: { value: number | null; grade: number | null; severity: string } }[];
}

describe('Clinical judgement end to end (embedded store, over HTTP)', () => {
  let receiver: WebhookReceiver;
  let vigil: VigilHarness;

  beforeAll(async () => {
    receiver = new WebhookReceiver();
    await receiver.listen();
    vigil = await startVigil({ env: { ...receiver.env, VIGIL_ALERT_ESCALATION_CHECK_MS: '50', VIGIL_DOSE_SCHEDULE_CHECK_MS: '50' } });
  });
  afterAll(async () => {
    await vigil.close();
    await receiver.close();
  });

  const store = () => vigil.app.get<symbol, EventStore>(EVENT_STORE);
  const settled = async () => vigil.app.get(ReadModelProgress).waitForPosition(await store().headPosition());
  const officer = () => vigil.as('safety_officer', [], { sub: 'u-sofia', name: 'Sofia Safety' });
  const investigator = () => vigil.as('investigator', ['SAT'], { sub: 'u-ines', name: 'Ines Investigator' });
  let patients = 0;
  const enrol = async (disease: string, overrides: Record<string, unknown> = {}): Promise<string> => {
    const patientId = `TR-SAT-${String(++patients).padStart(3, '0')}`;
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId, disease, enrolledAt: daysAgo(120), ...overrides }))
      .expect(201);
    return patientId;
  };
  const post = async (patientId: string, path: string, body: object, as = investigator()): Promise<string> =>
    (await as.post(`/patients/${patientId}/${path}`).send(body).expect(201)).body.eventId as string;
  /** The patient's alerts, retracted ones left out unless asked for. */
  const alertsOf = async (patientId: string, withRetracted = false): Promise<Alert[]> => {
    await settled();
    const items: Alert[] = (await vigil.http().get('/alerts').query({ patientId, limit: 500 }).expect(200)).body.items;
    return withRetracted ? items : items.filter((a) => a.status !== 'retracted');
  };
  const appended = async (act: () => Promise<unknown>): Promise<number> => {
    const before = await store().headPosition();
    await act();
    return (await store().headPosition()) - before;
  };

  describe('severe results alert in every disease (CTCAE-LAB), whatever the protocol exempts', () => {
    it('autoimmune hepatitis with ALT at 21 × ULN: CTCAE-LAB grade 4, critical, and no TR-ALT', async () => {
      const p = await enrol('AIH');
      const lab = await post(p, 'lab-results', { test: 'ALT', value: 840, unit: 'U/L', collectedAt: daysAgo(1), referenceRange: { low: 7, high: 40 } });
      expect(await alertsOf(p)).toEqual([expect.objectContaining({ ruleId: 'CTCAE-LAB', grade: 4, severity: 'critical', value: 840 })]);
      expect((await alertsOf(p))[0]).not.toHaveProperty('ruleId', 'TR-ALT');
      expect(lab).toBeDefined();
    });

    it('lupus with a creatinine giving a clearance below 15 mL/min: CTCAE-LAB grade 4, and no TR-CRCL (exempt in SLE)', async () => {
      const p = await enrol('SLE', { sex: 'F', birthYear: 1966, weightKg: 60 });
      await post(p, 'lab-results', { test: 'CREAT', value: 700, unit: 'umol/L', collectedAt: daysAgo(1), referenceRange: { low: 45, high: 104 } });
      expect((await alertsOf(p)).map((a) => [a.ruleId, a.grade, a.severity])).toEqual([['CTCAE-LAB', 4, 'critical']]);
    });

    it('neutrophils 0.4 × 10⁹/L, written by a French lab as G/L: CTCAE-LAB grade 4; haemoglobin 4.6 mmol/L (74 g/L): grade 3', async () => {
      const p = await enrol('RA');
      await post(p, 'lab-results', { test: 'NEUT', value: 0.4, unit: 'G/L', collectedAt: daysAgo(2) });
      await post(p, 'lab-results', { test: '718-7', value: 4.6, unit: 'mmol/L', collectedAt: daysAgo(1) });
      const alerts = await alertsOf(p);
      expect(alerts.map((a) => [a.ruleId, a.grade, a.normalisedValue]).sort()).toEqual([
        ['CTCAE-LAB', 3, expect.closeTo(74.1, 1)],
        ['CTCAE-LAB', 4, 0.4],
      ]);
    });
  });

  it('raises one HY-LAW for ALT 4 × ULN and bilirubin 2.5 × ULN collected five days apart (and nothing else: neither is grade 3)', async () => {
    const p = await enrol('RA');
    await post(p, 'lab-results', { test: 'ALT', value: 160, unit: 'U/L', collectedAt: daysAgo(8), referenceRange: { low: 7, high: 40 } });
    await post(p, 'lab-results', { test: 'BILI', value: 52.5, unit: 'umol/L', collectedAt: daysAgo(3), referenceRange: { low: 5, high: 21 } });
    await post(p, 'lab-results', { test: 'BILI', value: 60, unit: 'umol/L', collectedAt: daysAgo(2), referenceRange: { low: 5, high: 21 } });
    expect((await alertsOf(p)).map((a) => [a.ruleId, a.severity])).toEqual([['HY-LAW', 'critical']]);
  });

  it('updates the alert of lymphocytes 0.55 corrected to 0.15: 0.15, grade 4, critical, open again; the webhook receives AlertUpdated', async () => {
    const p = await enrol('RA');
    const lab = await post(p, 'lab-results', { test: 'LYM', value: 0.55, unit: '10*9/L', collectedAt: daysAgo(1) });
    const [raised] = await alertsOf(p);
    expect(raised).toMatchObject({ ruleId: 'TR-LYM', value: 0.55, severity: 'warning' });
    await officer().post(`/alerts/${raised.alertId}/acknowledge`).send({ note: 'Seen' }).expect(200);

    const correction = await post(p, `lab-results/${lab}/corrections`, { value: 0.15, reason: 'Transcription error: the report reads 0.15' });
    const [updated] = await alertsOf(p);
    expect(updated).toMatchObject({ alertId: raised.alertId, value: 0.15, grade: 4, severity: 'critical', status: 'open' });
    expect(updated.updates).toEqual([expect.objectContaining({ correctionEventId: correction, current: expect.objectContaining({ value: 0.15, grade: 4 }) })]);
    const delivered = await eventually(
      () => receiver.received.filter((r) => r.headers['x-vigil-event-type'] === 'AlertUpdated').map((r) => JSON.parse(r.body)),
      (bodies) => bodies.some((b) => b.alertId === raised.alertId),
    );
    expect(delivered.find((b) => b.alertId === raised.alertId)).toMatchObject({
      type: 'AlertUpdated',
      patientId: p,
      ruleId: 'TR-LYM',
      correctionEventId: correction,
      current: expect.objectContaining({ value: 0.15, grade: 4, severity: 'critical' }),
    });
  });

  describe('the SAE clock and the report to the sponsor', () => {
    it('starts at awareAt: learned of 30 hours ago, its alert is overdue at once (deadline past, escalated); the sponsor report closes it, late', async () => {
      const p = await enrol('RA');
      const aware = new Date(Date.now() - 30 * HOUR).toISOString();
      const sae = await post(p, 'adverse-events', {
        term: 'Pneumonia',
        onsetAt: daysAgo(2),
        awareAt: aware,
        grade: 3,
        serious: true,
        seriousnessCriteria: ['hospitalisation'],
      });
      const [alert] = await alertsOf(p);
      expect(alert).toMatchObject({
        ruleId: 'SAE-24H',
        severity: 'critical',
        deadline: new Date(Date.parse(aware) + 24 * HOUR).toISOString(),
        overdue: true,
      });
      expect(Date.parse(alert.deadline ?? '')).toBeLessThan(Date.now());
      await eventually(
        () => alertsOf(p),
        (alerts) => alerts[0]?.escalated === true,
      );

      const reportedAt = new Date().toISOString();
      await post(p, `adverse-events/${sae}/sponsor-reports`, { reportedAt, reference: 'SPONSOR-2026-0101' });
      expect((await alertsOf(p))[0]).toMatchObject({ status: 'closed', reportedAt, late: true, reportReference: 'SPONSOR-2026-0101', overdue: false });
    });

    it('closes on time when the report is within 24 hours of awareness (late: false); a non-serious grade-3 event raises AE-SEVERE', async () => {
      const p = await enrol('RA');
      const sae = await post(p, 'adverse-events', { term: 'Sepsis', onsetAt: daysAgo(1), grade: 4, serious: true, seriousnessCriteria: ['life-threatening'] });
      await post(p, `adverse-events/${sae}/sponsor-reports`, { reportedAt: new Date().toISOString() });
      await post(p, 'adverse-events', { term: 'Arthralgia', onsetAt: daysAgo(1), grade: 3, serious: false });
      const alerts = await alertsOf(p);
      expect(alerts.map((a) => [a.ruleId, a.status, a.severity, a.late ?? null]).sort()).toEqual([
        ['AE-SEVERE', 'open', 'warning', null],
        ['SAE-24H', 'closed', 'critical', false],
      ]);
    });

    it('refuses awareness before onset (400), a report in the future (400), a report on a non-serious event (422), an unknown event (404)', async () => {
      const p = await enrol('RA');
      const head = await store().headPosition();
      const before = await investigator()
        .post(`/patients/${p}/adverse-events`)
        .send({ term: 'Fever', onsetAt: daysAgo(1), awareAt: daysAgo(2), grade: 1, serious: false })
        .expect(400);
      expect(before.body.errors).toEqual([expect.objectContaining({ field: 'awareAt', reason: expect.stringContaining('before the onset') })]);
      const mild = await post(p, 'adverse-events', { term: 'Fever', onsetAt: daysAgo(1), grade: 1, serious: false });
      const future = await investigator()
        .post(`/patients/${p}/adverse-events/${mild}/sponsor-reports`)
        .send({ reportedAt: new Date(Date.now() + DAY).toISOString() })
        .expect(400);
      expect(future.body.errors).toEqual([expect.objectContaining({ field: 'reportedAt' })]);
      const notSerious = await investigator()
        .post(`/patients/${p}/adverse-events/${mild}/sponsor-reports`)
        .send({ reportedAt: daysAgo(0) })
        .expect(422);
      expect(notSerious.body.message).toMatch(/serious/);
      await investigator()
        .post(`/patients/${p}/adverse-events/01a00000-0000-7000-8000-000000000000/sponsor-reports`)
        .send({ reportedAt: daysAgo(0) })
        .expect(404);
      await investigator().post(`/patients/${p}/adverse-events/${mild}/sponsor-reports`).send({ reportedAt: 'yesterday' }).expect(400);
      expect((await store().headPosition()) - head).toBe(1); // the mild event only
    });

    it('records a repeated sponsor report (same Idempotency-Key) once', async () => {
      const p = await enrol('RA');
      const sae = await post(p, 'adverse-events', { term: 'Syncope', onsetAt: daysAgo(1), grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] });
      const send = () =>
        investigator()
          .post(`/patients/${p}/adverse-events/${sae}/sponsor-reports`)
          .set('Idempotency-Key', 'sponsor-report-syncope-1')
          .send({ reportedAt: daysAgo(0), reference: 'SPONSOR-2026-0102' })
          .expect(201);
      const first = await send();
      await settled(); // the SAE alert is closed behind the report
      let second: Awaited<ReturnType<typeof send>> | undefined;
      expect(await appended(async () => (second = await send()))).toBe(0);
      expect(second?.body.eventId).toBe(first.body.eventId);
    });
  });

  describe('SUSAR clocks: the sponsor assesses, the regulator is told', () => {
    it('a serious, related, unexpected life-threatening event: SUSAR-7D from the sponsor report, closed by the regulatory report', async () => {
      const p = await enrol('UC');
      const sae = await post(p, 'adverse-events', {
        term: 'Anaphylactic reaction',
        onsetAt: daysAgo(3),
        awareAt: daysAgo(3),
        grade: 4,
        serious: true,
        seriousnessCriteria: ['life-threatening'],
        relatedness: 'probable',
      });
      const sponsorKnew = daysAgo(2);
      await post(p, `adverse-events/${sae}/sponsor-reports`, { reportedAt: sponsorKnew });
      await investigator().post(`/patients/${p}/adverse-events/${sae}/assessments`).send({ expected: false, causality: 'probable' }).expect(403);
      await post(p, `adverse-events/${sae}/assessments`, { expected: false, causality: 'probable', note: 'Not in the SmPC' }, officer());
      const susar = (await alertsOf(p)).find((a) => a.ruleId === 'SUSAR-7D');
      expect(susar).toMatchObject({ severity: 'critical', status: 'open' });
      expect(Date.parse(susar?.deadline ?? '')).toBeGreaterThanOrEqual(Date.parse(sponsorKnew) + 7 * DAY - DAY);

      await post(p, `adverse-events/${sae}/regulatory-reports`, { reportedAt: daysAgo(0), reference: 'EUDRAVIGILANCE-2026-1' }, officer());
      expect((await alertsOf(p)).find((a) => a.ruleId === 'SUSAR-7D')).toMatchObject({
        status: 'closed',
        late: false,
        reportReference: 'EUDRAVIGILANCE-2026-1',
      });
    });

    it('refuses a regulatory report on an event that is no SUSAR (422), and an assessment with an unknown causality (400)', async () => {
      const p = await enrol('UC');
      const sae = await post(p, 'adverse-events', {
        term: 'Fracture',
        onsetAt: daysAgo(3),
        awareAt: daysAgo(3),
        grade: 3,
        serious: true,
        seriousnessCriteria: ['hospitalisation'],
      });
      await post(p, `adverse-events/${sae}/assessments`, { expected: true, causality: 'unlikely' }, officer());
      await officer()
        .post(`/patients/${p}/adverse-events/${sae}/regulatory-reports`)
        .send({ reportedAt: daysAgo(0) })
        .expect(422);
      const bad = await officer().post(`/patients/${p}/adverse-events/${sae}/assessments`).send({ expected: 'no', causality: 'maybe' }).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['causality', 'expected']);
    });
  });

  describe('the dosing grid', () => {
    /** A clinical day `day` (Day 1 = the first dose) at 09:00 UTC, the first dose `firstDoseDaysAgo` days ago. */
    const studyDay = (firstDoseDaysAgo: number, day: number) => {
      const today = new Date(new Date().toISOString().slice(0, 10) + 'T09:00:00Z').getTime();
      return new Date(today - firstDoseDaysAgo * DAY + (day - 1) * DAY).toISOString();
    };
    const dose = (patientId: string, administeredAt: string) => post(patientId, 'doses', { dose: 1, unit: 'MIU', route: 'SC', administeredAt });

    it('doses on Day 1–5 then every 17 days: DOSE-WINDOW deviations and a DOSE-MISSED for the due day the drift skipped', async () => {
      const p = await enrol('RA');
      for (const day of [1, 2, 3, 4, 5, 22, 39, 56, 73]) await dose(p, studyDay(80, day));
      const alerts = await eventually(
        () => alertsOf(p),
        (list) => list.some((a) => a.ruleId === 'DOSE-MISSED'),
      );
      expect(alerts.filter((a) => a.ruleId === 'DOSE-WINDOW')).toHaveLength(2);
      expect(alerts.filter((a) => a.ruleId === 'DOSE-MISSED').map((a) => a.severity)).toEqual(['warning']);
    });

    it('a discontinued patient gets no DOSE-MISSED; a late discontinuation retracts those it explains; a dose after it is DOSE-AFTER-STOP', async () => {
      const p = await enrol('RA');
      for (const day of [1, 2, 3, 4, 5, 15, 29]) await dose(p, studyDay(80, day));
      const missed = await eventually(
        () => alertsOf(p),
        (list) => list.filter((a) => a.ruleId === 'DOSE-MISSED').length === 3, // Days 43, 57 and 71
      );
      const status = await post(p, 'treatment-status', { status: 'discontinued', effectiveAt: studyDay(80, 35), reason: 'Patient withdrew consent for IL-2' });
      const after = await alertsOf(p, true);
      const missedIds = missed.filter((a) => a.ruleId === 'DOSE-MISSED').map((a) => a.alertId);
      expect(after.filter((a) => missedIds.includes(a.alertId)).map((a) => [a.status, a.retractedBy])).toEqual(missedIds.map(() => ['retracted', status]));
      expect((await vigil.http().get(`/patients/${p}`).expect(200)).body.treatmentStatus).toMatchObject({ status: 'discontinued' });
      expect((await vigil.http().get(`/patients/${p}/safety`).expect(200)).body.treatment).toMatchObject({ status: 'discontinued' });

      await dose(p, studyDay(80, 78));
      expect((await alertsOf(p)).filter((a) => a.status !== 'retracted').map((a) => a.ruleId)).toEqual(['DOSE-AFTER-STOP']);
    });

    it('shows the same treatmentStatus, with effectiveAt as recorded, on GET /patients/:patientId and on /safety', async () => {
      const p = await enrol('RA');
      const effectiveAt = daysAgo(3);
      await post(p, 'treatment-status', { status: 'suspended', effectiveAt, reason: 'Herpes zoster' });
      const patient = (await vigil.http().get(`/patients/${p}`).expect(200)).body;
      const safety = (await vigil.http().get(`/patients/${p}/safety`).expect(200)).body;
      const expected = { status: 'suspended', effectiveAt, since: effectiveAt, reason: 'Herpes zoster' };
      expect(patient.treatmentStatus).toEqual(expected);
      expect(safety.treatmentStatus).toEqual(expected);
      // The earlier names stay: the list of changes on the patient, the summary's `treatment`.
      expect(safety.treatment).toEqual(expected);
      expect(patient.treatment).toEqual([expect.objectContaining({ status: 'suspended', effectiveAt, reason: 'Herpes zoster' })]);
    });

    it('refuses an unknown treatment status and a future effective date (400), for an unknown patient 404', async () => {
      const p = await enrol('RA');
      const bad = await investigator()
        .post(`/patients/${p}/treatment-status`)
        .send({ status: 'paused', effectiveAt: daysAgo(1), reason: 'x' })
        .expect(400);
      expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
      const future = await investigator()
        .post(`/patients/${p}/treatment-status`)
        .send({ status: 'suspended', effectiveAt: new Date(Date.now() + 2 * DAY).toISOString(), reason: 'Planned surgery' })
        .expect(400);
      expect(future.body.errors).toEqual([expect.objectContaining({ field: 'effectiveAt' })]);
      await investigator()
        .post('/patients/TR-SAT-999/treatment-status')
        .send({ status: 'suspended', effectiveAt: daysAgo(1), reason: 'x' })
        .expect(404);
    });
  });

  it("serves the rule catalogue at GET /rules to any signed-in user, the same as the README's list", async () => {
    const served = (await investigator().get('/rules').expect(200)).body;
    const items: { id: string; severity: string; source: string }[] = Array.isArray(served) ? served : served.items;
    expect(items.map((r) => r.id)).toEqual(RULES.map((r) => r.id));
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## The rules'), readme.indexOf('\n## ', readme.indexOf('## The rules') + 5));
    const listed = [...section.matchAll(/^\| `([A-Z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(items.map((r) => r.id));
    await vigil.anonymous().get('/rules').expect(401);
  });
});
