import { createHash } from 'node:crypto';
import { loadDemoCohort } from '../apps/vigil/src/demo/demo-cohort';
import { startVigil, VigilHarness } from './harness/vigil-harness';
import { eventually } from './harness/webhook-receiver';
import { datasetJsonValidator, fhirR4Validator, type Verdict } from './interchange/validators';

/**
 * Trial-level reports and interchange on the demo cohort (docs/interchange.md): the DSMB safety report, the SDTM
 * datasets and a patient's FHIR R4 record, who may read them, and that a past moment always reads the same.
 */
jest.setTimeout(180_000);

interface Dataset {
  records: number;
  columns: { name: string }[];
  rows: (string | number | null)[][];
  datasetJSONCreationDateTime: string;
}
interface Alert {
  ruleId: string;
  status: string;
}
type Resource = { resourceType: string; id: string; [key: string]: unknown };

const RA_1 = 'TR-PSL-001'; // the demo's RA-1: platelets 72 × 10⁹/L on Day 29 (TR-PLT)
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('Trial reports and interchange', () => {
  let vigil: VigilHarness;
  let settledAt: string;
  let validDataset: (document: unknown) => Verdict;
  let validFhir: (document: unknown) => Verdict;

  beforeAll(async () => {
    vigil = await startVigil({ demo: true });
    await loadDemoCohort(vigil.app);
    // The alerting works behind the write: wait until the last planned scenario (the second SUSAR closed) shows.
    await eventually(
      async () => (await vigil.http().get('/alerts').query({ limit: 500 }).expect(200)).body.items as Alert[],
      (items) => items.filter((a) => a.status === 'closed' && a.ruleId.startsWith('SUSAR')).length === 2,
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    settledAt = new Date().toISOString();
    validDataset = datasetJsonValidator();
    validFhir = fhirR4Validator();
  });
  afterAll(() => vigil?.close());

  const report = (query: Record<string, string> = {}) =>
    vigil
      .as('safety_officer')
      .get('/reports/safety')
      .query({ asOf: settledAt, ...query });
  const sdtm = (domain: string, query: Record<string, string> = {}) => vigil.as('data_manager').get(`/exports/sdtm/${domain}`).query(query);
  const column = (dataset: Dataset, name: string) => dataset.columns.findIndex((c) => c.name === name);
  /** The demo's `<disease>-<n>`: its patient codes end in the cohort's running number, n = 1 before n = 2 of a disease. */
  const demoPatient = async (disease: string, n: 1 | 2) => {
    const items = (await vigil.http().get('/patients').query({ disease }).expect(200)).body.items as { patientId: string }[];
    const number = (patientId: string) => Number(patientId.split('-').pop());
    return items.map((p) => p.patientId).sort((a, b) => number(a) - number(b))[n - 1];
  };

  describe('the safety report', () => {
    it('counts the 28 demo patients, their doses against the grid, and the three serious adverse events with their clocks (GPA-1 late)', async () => {
      const res = await report().expect(200);
      const body = res.body;
      expect(res.headers['x-vigil-position']).toBe(String(body.position));
      expect(body.exposure.enrolled).toBe(28);
      expect(body.exposure.dosesGiven).toBeGreaterThan(28 * 5);
      expect(body.exposure.dosesDue).toBeGreaterThan(0);
      expect(body.adverseEvents.serious).toHaveLength(3);
      const saeClocks = body.adverseEvents.serious.flatMap((s: { clocks: { ruleId: string; late: boolean }[] }) =>
        s.clocks.filter((c) => c.ruleId === 'SAE-24H'),
      );
      expect(saeClocks).toHaveLength(3);
      expect(saeClocks.filter((c: { late: boolean }) => c.late)).toHaveLength(1);
      expect(body.adverseEvents.serious.flatMap((s: { clocks: { ruleId: string }[] }) => s.clocks.map((c) => c.ruleId)).sort()).toEqual(
        ['SAE-24H', 'SAE-24H', 'SAE-24H', 'SUSAR-15D', 'SUSAR-7D'].sort(),
      );
    });

    it('lists per disease the patients who crossed a protocol threshold: RA-1 for platelets, none in AIH (no TR-ALT there)', async () => {
      const { body } = await report().expect(200);
      const line = (disease: string) => body.thresholds.find((t: { disease: string }) => t.disease === disease);
      // RA-1 TR-PLT; RA-2's ALT of 160 U/L is 4 × ULN, under TR-ALT (its Hy's law alert is no protocol threshold).
      expect(line('RA')).toMatchObject({ patients: 2, crossed: 1, patientIds: [RA_1] });
      expect(line('AIH')).toMatchObject({ patients: 2, crossed: 0 });
      expect(line('BD')).toMatchObject({ crossed: 2 });
      expect(body.thresholds).toHaveLength(14);
    });

    it('counts alerts by rule and severity with times to acknowledgement, and shows the platelet shift of RA-1', async () => {
      const { body } = await report({ disease: 'RA' }).expect(200);
      expect(body.filters).toEqual({ disease: 'RA', siteId: null });
      expect(body.exposure.enrolled).toBe(2);
      const plt = body.alerts.byRule.find((a: { ruleId: string }) => a.ruleId === 'TR-PLT');
      expect(plt).toMatchObject({ raised: 1, acknowledged: 1, open: 0 });
      expect(plt.medianHoursToAcknowledge).toEqual(expect.any(Number));
      const platelets = body.labShifts.find((t: { test: string }) => t.test === 'PLAT');
      // RA-1's Day 29 platelets (72 × 10⁹/L) are CTCAE grade 2 (< 75 – 50, docs/safety-rules.md §2): normal baseline → grade 2.
      expect(platelets.cells).toContainEqual({ baselineGrade: 0, worstGrade: 2, patients: 1 });
    });

    it('counts SSC-1 stopped by its reason, and lists the open alerts and the hours to acknowledgement as the alerts themselves show them', async () => {
      const { body } = await report().expect(200);
      // SSC-1 discontinued on Day 45, "Patient moved abroad"; PSO-2's suspension was lifted on Day 50.
      expect(body.exposure.stopped).toEqual([{ status: 'discontinued', reason: 'Patient moved abroad', patients: 1 }]);
      expect(body.exposure.suspended).toBe(0);
      expect(body.exposure.onTreatment).toBe(27);

      // The oracle: the alerts as GET /alerts lists them (nothing raised or acknowledged since asOf).
      const alerts = (await vigil.http().get('/alerts').query({ limit: 500 }).expect(200)).body.items as (Alert & {
        alertId: string;
        severity: string;
        raisedAt: string;
        acknowledgedAt?: string;
      })[];
      const open = alerts.filter((a) => a.status === 'open');
      expect(open.length).toBeGreaterThan(0);
      expect(body.alerts.open.map((a: { alertId: string }) => a.alertId).sort()).toEqual(open.map((a) => a.alertId).sort());
      const lines = body.alerts.byRule as { ruleId: string; severity: string; open: number; acknowledged: number; maxHoursToAcknowledge: number | null }[];
      expect(lines.reduce((sum, line) => sum + line.open, 0)).toBe(open.length);
      // Hours from raising to acknowledgement, the longest per rule and severity, to the hundredth.
      const hours = (a: { raisedAt: string; acknowledgedAt?: string }) => (Date.parse(a.acknowledgedAt as string) - Date.parse(a.raisedAt)) / 3_600_000;
      const acknowledgedLines = lines.filter((line) => line.maxHoursToAcknowledge !== null);
      expect(acknowledgedLines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const acknowledged = alerts.filter((a) => a.ruleId === line.ruleId && a.severity === line.severity && a.acknowledgedAt !== undefined);
        const longest = acknowledged.length === 0 ? null : Math.round(Math.max(...acknowledged.map(hours)) * 100) / 100;
        expect({ rule: line.ruleId, severity: line.severity, max: line.maxHoursToAcknowledge }).toEqual({
          rule: line.ruleId,
          severity: line.severity,
          max: longest,
        });
      }
    });

    it('gives the same numbers for the same asOf and position, through the live fold and through a fresh pass over the log', async () => {
      const first = await report().expect(200);
      // Something recorded after asOf: the next report as of asOf must leave it out.
      await vigil
        .http()
        .post(`/patients/${RA_1}/lab-results`)
        .send({ test: 'PLAT', value: 40, unit: '10*9/L', collectedAt: new Date().toISOString() })
        .expect(201);
      const later = await vigil.as('monitor').get('/reports/safety').query({ asOf: settledAt }).expect(200);
      expect(later.body).toEqual(first.body);
      expect(later.headers['x-vigil-position']).toBe(first.headers['x-vigil-position']);
      // Asked again, the earlier moment's fold is kept: still the same report.
      expect((await vigil.as('data_manager').get('/reports/safety').query({ asOf: settledAt }).expect(200)).body).toEqual(first.body);
      const now = await vigil.as('monitor').get('/reports/safety').expect(200);
      expect(now.body.position).toBeGreaterThan(first.body.position);
    });

    it("a correction after asOf changes the report only as of a later moment: ITP-1's grade 3 haemoglobin corrected to normal", async () => {
      const shift = (body: { labShifts: { test: string; cells: { baselineGrade: number | null; worstGrade: number | null; patients: number }[] }[] }) =>
        body.labShifts.find((t) => t.test === 'HGB')?.cells ?? [];
      const before = await report({ disease: 'ITP' }).expect(200);
      const wholeBefore = await report().expect(200);
      // ITP-1's Day 15 haemoglobin, 75 g/L: CTCAE grade 3 anaemia (< 80 g/L, docs/safety-rules.md §2) from a normal baseline.
      expect(shift(before.body)).toContainEqual({ baselineGrade: 0, worstGrade: 3, patients: 1 });

      const itp1 = await demoPatient('ITP', 1);
      const events = (await vigil.http().get(`/patients/${itp1}/events`).expect(200)).body as {
        eventId: string;
        type: string;
        data: { test: string; value: number };
      }[];
      const low = events.find((e) => e.type === 'LabResultRecorded' && e.data.test === 'HGB' && e.data.value === 75);
      await vigil
        .as('data_manager')
        .post(`/patients/${itp1}/lab-results/${low?.eventId}/corrections`)
        .send({ value: 135, reason: 'Transcription error: the lab report reads 135' })
        .expect(201);
      const corrected = new Date(Date.now() + 1).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));

      // As of before the correction: the same bytes, whether the kept fold or a fresh pass answers.
      const again = await report({ disease: 'ITP' }).expect(200);
      expect(again.text).toBe(before.text);
      expect(again.headers['x-vigil-position']).toBe(before.headers['x-vigil-position']);
      expect((await report().expect(200)).text).toBe(wholeBefore.text);
      // As of after it, and now: no grade 3 left in ITP's haemoglobin, the patient still counted.
      for (const after of [
        await report({ disease: 'ITP', asOf: corrected }).expect(200),
        await vigil.as('safety_officer').get('/reports/safety').query({ disease: 'ITP' }).expect(200),
      ]) {
        expect(Number(after.headers['x-vigil-position'])).toBeGreaterThan(Number(before.headers['x-vigil-position']));
        expect(shift(after.body).some((cell) => cell.worstGrade === 3)).toBe(false);
        const patients = (cells: { patients: number }[]) => cells.reduce((sum, cell) => sum + cell.patients, 0);
        expect(patients(shift(after.body))).toBe(patients(shift(before.body)));
      }
    });

    it('lists a death and the treatment it ended: a fatal adverse event reported after asOf shows only in a later report', async () => {
      const cd1 = await demoPatient('CD', 1);
      const before = (await vigil.as('safety_officer').get('/reports/safety').expect(200)).body;
      expect(before.adverseEvents.deaths).toEqual([]);
      const onsetAt = new Date(Date.now() - 3_600_000).toISOString();
      const reported = await vigil
        .as('investigator', [cd1.split('-')[1]])
        .post(`/patients/${cd1}/adverse-events`)
        .send({ term: 'Sudden cardiac death', onsetAt, grade: 5, serious: true, seriousnessCriteria: ['death'], relatedness: 'unlikely', outcome: 'fatal' })
        .expect(201);
      const after = (await vigil.as('safety_officer').get('/reports/safety').expect(200)).body;
      expect(after.adverseEvents.deaths).toEqual([
        { patientId: cd1, siteId: cd1.split('-')[1], disease: 'CD', eventId: reported.body.eventId, term: 'Sudden cardiac death', onsetAt },
      ]);
      // A fatal adverse event ends the treatment (docs/interchange.md "The safety report"): one patient fewer on treatment.
      expect(after.exposure.stopped).toEqual(
        expect.arrayContaining([
          { status: 'discontinued', reason: 'Patient moved abroad', patients: 1 },
          { status: 'ended', reason: 'a fatal adverse event', patients: 1 },
        ]),
      );
      expect(after.exposure.stopped).toHaveLength(2);
      expect(after.exposure.onTreatment).toBe(before.exposure.onTreatment - 1);
      expect(after.adverseEvents.serious.map((s: { eventId: string }) => s.eventId)).toContain(reported.body.eventId);
      // As of before it was reported: no death, the patient still on treatment.
      const earlier = (await report().expect(200)).body;
      expect(earlier.adverseEvents.deaths).toEqual([]);
      expect(earlier.exposure.stopped).toEqual([{ status: 'discontinued', reason: 'Patient moved abroad', patients: 1 }]);
    });

    it('prints as an HTML page with Accept: text/html or format=html', async () => {
      const page = await report().set('Accept', 'text/html').expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toContain('safety report');
      expect(page.text).toContain('Lab shifts');
      const byFormat = await report({ format: 'html' }).expect(200);
      expect(byFormat.text).toBe(page.text);
    });

    it('refuses investigators (403), and answers safety officers, monitors, data managers and admins', async () => {
      await vigil.as('investigator', ['SAT']).get('/reports/safety').expect(403);
      for (const role of ['safety_officer', 'monitor', 'data_manager', 'admin'] as const) await vigil.as(role).get('/reports/safety').expect(200);
    });

    it.each([
      [{ asOf: 'yesterday' }, 'asOf'],
      [{ asOf: '2999-01-01T00:00:00Z' }, 'asOf'],
      [{ disease: 'FLU' }, 'disease'],
      [{ siteId: 'NOWHERE' }, 'siteId'],
      [{ format: 'pdf' }, 'format'],
      [{ patient: 'x' }, 'patient'],
    ])('refuses %j with 400 naming %s', async (query, field) => {
      const res = await vigil.as('safety_officer').get('/reports/safety').query(query).expect(400);
      expect(res.body.errors[0].field).toBe(field);
    });
  });

  describe('SDTM exports', () => {
    it.each(['DM', 'EX', 'LB', 'AE'])('writes %s as Dataset-JSON 1.1 that the CDISC schema accepts, with its SHA-256 and position', async (domain) => {
      const res = await sdtm(domain, { asOf: settledAt }).expect(200);
      expect(res.headers['x-vigil-sha256']).toBe(sha256(res.text));
      const dataset = JSON.parse(res.text) as Dataset;
      expect(validDataset(dataset)).toEqual({ valid: true, errors: [] });
      expect(dataset.records).toBe(dataset.rows.length);
      expect(dataset.records).toBeGreaterThan(0);
      if (domain === 'DM') expect(dataset.records).toBe(28);
      expect(res.headers['x-vigil-position']).toMatch(/^\d+$/);
    });

    it('the Dataset-JSON schema refuses a broken file: no records count, an unknown data type', async () => {
      const dataset = JSON.parse((await sdtm('LB', { asOf: settledAt }).expect(200)).text);
      const { records: _records, ...noCount } = dataset;
      expect(validDataset(noCount).valid).toBe(false);
      const badType = { ...dataset, columns: dataset.columns.map((c: object, i: number) => (i === 0 ? { ...c, dataType: 'text' } : c)) };
      expect(validDataset(badType).valid).toBe(false);
    });

    it('writes LB in the canonical unit with the reference indicator, the CTCAE grade and the study day', async () => {
      const lb = JSON.parse((await sdtm('LB', { asOf: settledAt }).expect(200)).text) as Dataset;
      const row = lb.rows.find(
        (r) => r[column(lb, 'USUBJID')] === `TRANSREG-${RA_1}` && r[column(lb, 'LBTESTCD')] === 'PLAT' && r[column(lb, 'LBSTRESN')] === 72,
      );
      expect(row).toBeDefined();
      const at = (name: string) => (row as (string | number | null)[])[column(lb, name)];
      expect(at('LBSTRESU')).toBe('10*9/L');
      expect(at('LBNRIND')).toBe('LOW');
      expect(at('LBTOXGR')).toBe('2'); // < 75 × 10⁹/L
      expect(at('LBLOINC')).toBe('777-3');
      expect(at('VISITDY')).toBe(29);
    });

    it("puts the protocol's Day 0 baseline visit on SDTM Day -1: VISITNUM 1, VISITDY -1 like its LBDY (SDTM has no Day 0)", async () => {
      const lb = JSON.parse((await sdtm('LB', { asOf: settledAt }).expect(200)).text) as Dataset;
      const baseline = lb.rows.filter((r) => r[column(lb, 'USUBJID')] === `TRANSREG-${RA_1}` && r[column(lb, 'VISITNUM')] === 1);
      expect(baseline.length).toBeGreaterThan(0);
      for (const row of baseline) {
        expect(row[column(lb, 'VISITDY')]).toBe(-1);
        expect(row[column(lb, 'LBDY')]).toBe(-1);
      }
      expect(lb.rows.some((r) => r[column(lb, 'VISITDY')] === 0)).toBe(false);
    });

    it('gives the same bytes for the same asOf, however often it is read; a correction changes only a later export', async () => {
      const before = await sdtm('LB', { asOf: settledAt, format: 'csv' }).expect(200);
      await vigil.as('monitor').get(`/fhir/Patient/${RA_1}/$everything`).expect(200); // a read, recorded as an access
      const again = await sdtm('LB', { asOf: settledAt, format: 'csv' }).expect(200);
      expect(again.text).toBe(before.text);
      expect(again.headers['x-vigil-sha256']).toBe(before.headers['x-vigil-sha256']);
      expect(again.headers['x-vigil-position']).toBe(before.headers['x-vigil-position']);

      const events = (await vigil.http().get(`/patients/${RA_1}/events`).expect(200)).body as {
        eventId: string;
        type: string;
        data: { test: string; value: number };
      }[];
      const low = events.find((e) => e.type === 'LabResultRecorded' && e.data.test === 'PLAT' && e.data.value === 72);
      await vigil
        .as('data_manager')
        .post(`/patients/${RA_1}/lab-results/${low?.eventId}/corrections`)
        .send({ value: 85, reason: 'Transcription error: the lab report reads 85' })
        .expect(201);
      const corrected = new Date(Date.now() + 1).toISOString();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const stillBefore = await sdtm('LB', { asOf: settledAt, format: 'csv' }).expect(200);
      expect(stillBefore.text).toBe(before.text);
      const after = await sdtm('LB', { asOf: corrected, format: 'csv' }).expect(200);
      expect(after.text).not.toBe(before.text);
      expect(Number(after.headers['x-vigil-position'])).toBeGreaterThan(Number(before.headers['x-vigil-position']));
      const platelets = (text: string) => text.split('\r\n').filter((line) => line.includes(`TRANSREG-${RA_1},`) && line.includes(',PLAT,'));
      expect(platelets(before.text).some((line) => line.includes(',72,'))).toBe(true);
      expect(platelets(after.text).some((line) => line.includes(',72,'))).toBe(false);
      expect(platelets(after.text).some((line) => line.includes(',85,'))).toBe(true);
    });

    it('begins the CSV with the SDTM variable names', async () => {
      const csv = await sdtm('AE', { format: 'csv' }).expect(200);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.text.split('\r\n')[0]).toMatch(/^STUDYID,DOMAIN,USUBJID,AESEQ,AETERM,AEDECOD,AESER,AESEV,AETOXGR,/);
    });

    it('reads a domain code in any case as the domain: lb and Lb give the bytes of LB', async () => {
      const upper = await sdtm('LB', { asOf: settledAt }).expect(200);
      for (const domain of ['lb', 'Lb']) {
        const res = await sdtm(domain, { asOf: settledAt }).expect(200);
        expect(res.text).toBe(upper.text);
        expect(res.headers['content-disposition']).toBe(upper.headers['content-disposition']);
        expect(res.headers['x-vigil-sha256']).toBe(upper.headers['x-vigil-sha256']);
      }
      const ae = (await sdtm('ae', { format: 'csv' }).expect(200)).text.split('\r\n');
      expect(ae[1].split(',').slice(0, 2)).toEqual(['TRANSREG', 'AE']);
    });

    it('refuses investigators and safety officers (403); answers monitors and data managers', async () => {
      await vigil.as('investigator', ['SAT']).get('/exports/sdtm/DM').expect(403);
      await vigil.as('safety_officer').get('/exports/sdtm/DM').expect(403);
      await vigil.as('monitor').get('/exports/sdtm/DM').expect(200);
    });

    it.each([
      ['QS', {}, 'domain'],
      ['qs', {}, 'domain'],
      ['lbx', {}, 'domain'],
      ['LB', { format: 'xpt' }, 'format'],
      ['LB', { asOf: '2026-13-01T00:00:00Z' }, 'asOf'],
      ['LB', { asOf: '2999-01-01T00:00:00Z' }, 'asOf'],
    ])('refuses /exports/sdtm/%s %j with 400 naming %s', async (domain, query, field) => {
      expect((await sdtm(domain, query).expect(400)).body.errors[0].field).toBe(field);
    });
  });

  describe('FHIR R4', () => {
    const everything = async (patientId: string) => (await vigil.as('monitor').get(`/fhir/Patient/${patientId}/$everything`).expect(200)).body;

    it('answers a Bundle the official FHIR R4 schema accepts, with a pseudonymous Patient', async () => {
      const bundle = await everything(RA_1);
      expect(validFhir(bundle)).toEqual({ valid: true, errors: [] });
      expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
      const patient = bundle.entry[0].resource;
      expect(patient).toMatchObject({ resourceType: 'Patient', identifier: [{ value: RA_1 }] });
      expect(patient.name).toBeUndefined();
      const kinds = new Set(bundle.entry.map((e: { resource: Resource }) => e.resource.resourceType));
      expect([...kinds].sort()).toEqual(['MedicationAdministration', 'Observation', 'Patient']);
    });

    it('the FHIR schema refuses a broken bundle: an Observation status FHIR does not know', async () => {
      const bundle = await everything(RA_1);
      const broken = {
        ...bundle,
        entry: bundle.entry.map((e: { resource: Resource }) =>
          e.resource.resourceType === 'Observation' ? { resource: { ...e.resource, status: 'revised' } } : e,
        ),
      };
      expect(validFhir(broken).valid).toBe(false);
    });

    it('codes platelets with LOINC and CDISC, in UCUM 10*9/L, amended after the correction, and flags a critical low as LL', async () => {
      // A count reported in /mm3, 30 000: 30 × 10⁹/L, below TR-PLT (80) and CTCAE grade 3.
      await vigil
        .http()
        .post(`/patients/${RA_1}/lab-results`)
        .send({ test: 'PLAT', value: 30_000, unit: '/mm3', collectedAt: new Date().toISOString() })
        .expect(201);
      const bundle = await everything(RA_1);
      const observations = bundle.entry.map((e: { resource: Resource }) => e.resource).filter((r: Resource) => r.resourceType === 'Observation');
      const amended = observations.find((o: Resource) => o.status === 'amended');
      expect(amended).toMatchObject({
        code: { coding: expect.arrayContaining([{ system: 'http://loinc.org', code: '777-3' }, expect.objectContaining({ code: 'PLAT' })]) },
        valueQuantity: { value: 85, unit: '10*9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' },
        interpretation: [{ coding: [expect.objectContaining({ code: 'L' })] }],
      });
      const critical = observations.find((o: Resource & { valueQuantity: { value: number } }) => o.valueQuantity.value === 30);
      expect(critical).toMatchObject({ status: 'final', interpretation: [{ coding: [expect.objectContaining({ code: 'LL' })] }] });
      expect(critical.valueQuantity).toEqual({ value: 30, unit: '10*9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' });
      expect(observations.every((o: Resource & { valueQuantity: { unit: string } }) => o.valueQuantity.unit !== 'G/L')).toBe(true);
    });

    it('carries the serious adverse event of GPA-1 with its seriousness, severity and the IL-2 dose as suspect', async () => {
      const bundle = await everything(await demoPatient('GPA', 1));
      expect(validFhir(bundle).valid).toBe(true);
      const ae = bundle.entry
        .map((e: { resource: Resource }) => e.resource)
        .find((r: Resource) => r.resourceType === 'AdverseEvent' && JSON.stringify(r).includes('"serious"'));
      // Pneumonia, CTCAE grade 3 (R4 severity: severe), hospitalised, recovering.
      expect(ae).toMatchObject({
        event: { text: 'Pneumonia' },
        seriousness: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-seriousness', code: 'serious', display: 'Serious' }] },
        severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: 'severe', display: 'Severe' }] },
        outcome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: 'recovering' }] },
        suspectEntity: [{ instance: { reference: expect.stringMatching(/^MedicationAdministration\//) } }],
      });
    });

    it("codes every demo adverse event's severity (R4: mild, moderate, severe from the CTCAE grade) and outcome (R4 adverse-event-outcome)", async () => {
      // The demo's events as planned (apps/vigil/src/demo/demo-cohort.ts): grade and outcome as the site reported them.
      const planned: Record<string, { grade: number; outcome: string }> = {
        'Injection site reaction': { grade: 1, outcome: 'recovered' },
        Pyrexia: { grade: 1, outcome: 'recovered' },
        Arthralgia: { grade: 3, outcome: 'recovering' },
        Pneumonia: { grade: 3, outcome: 'recovering' },
        'Anaphylactic reaction': { grade: 4, outcome: 'recovered' },
        'Erythema multiforme': { grade: 3, outcome: 'recovering' },
        'Sudden cardiac death': { grade: 5, outcome: 'fatal' }, // CD-1's, reported in the safety report's tests above
      };
      // FHIR R4 ValueSet adverse-event-severity, and adverse-event-outcome (resolved | recovering | ongoing | resolvedWithSequelae | fatal | unknown).
      const severity = (grade: number) => (grade === 1 ? 'mild' : grade === 2 ? 'moderate' : 'severe');
      const outcome: Record<string, string> = { recovered: 'resolved', recovering: 'recovering', fatal: 'fatal' };
      const patients = (await vigil.http().get('/patients').expect(200)).body.items as { patientId: string }[];
      const seen = new Set<string>();
      for (const { patientId } of patients) {
        const bundle = await everything(patientId);
        for (const { resource } of bundle.entry as { resource: Resource & { event: { text: string } } }[]) {
          if (resource.resourceType !== 'AdverseEvent') continue;
          const term = resource.event.text;
          seen.add(term);
          expect(planned[term]).toBeDefined();
          expect(resource).toMatchObject({
            severity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-severity', code: severity(planned[term].grade) }] },
            outcome: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adverse-event-outcome', code: outcome[planned[term].outcome] }] },
          });
        }
      }
      expect([...seen]).toEqual(expect.arrayContaining(['Arthralgia', 'Pneumonia', 'Anaphylactic reaction', 'Erythema multiforme']));
    });

    it('gives each dose as a completed MedicationAdministration: SNOMED route (SC 34206005, SC-2 intravenous once), dose in UCUM 10*6.[iU]', async () => {
      const administrations = async (patientId: string) =>
        ((await everything(patientId)).entry as { resource: Resource }[]).map((e) => e.resource).filter((r) => r.resourceType === 'MedicationAdministration');
      const ra1 = await administrations(RA_1);
      expect(ra1.length).toBeGreaterThan(5);
      for (const dose of ra1) {
        expect(dose).toMatchObject({
          status: 'completed',
          subject: { reference: `Patient/${RA_1}` },
          medicationCodeableConcept: { text: expect.stringMatching(/^aldesleukin/) },
          note: [{ text: expect.stringMatching(/^Lot IL2-2026-/) }],
          dosage: {
            route: { coding: [{ system: 'http://snomed.info/sct', code: '34206005', display: 'Subcutaneous route' }], text: 'SC' },
            dose: { value: 1, unit: 'MIU', system: 'http://unitsofmeasure.org', code: '10*6.[iU]' },
          },
        });
      }
      // SC-2's Day 43 dose went in intravenously (DOSE-ROUTE): SNOMED 47625008.
      const routes = (await administrations(await demoPatient('SC', 2))).map(
        (d) => (d.dosage as { route: { coding: { code: string }[] } }).route.coding[0].code,
      );
      expect(routes.filter((code) => code === '47625008')).toHaveLength(1);
      expect(routes.filter((code) => code !== '47625008').every((code) => code === '34206005')).toBe(true);
      // UC-1's 2 MIU on Day 3 (DOSE-AMOUNT).
      const uc1 = await administrations(await demoPatient('UC', 1));
      expect(uc1.map((d) => (d.dosage as { dose: { value: number } }).dose.value).filter((value) => value !== 1)).toEqual([2]);
    });

    it('gives each Observation its reference range in the canonical unit (a /mm3 lab too), H above it and HH across a protocol threshold', async () => {
      const observations = async (patientId: string, test: string) =>
        ((await everything(patientId)).entry as { resource: Resource }[])
          .map((e) => e.resource as Resource & { valueQuantity: { value: number }; code: { coding: { code: string }[] } })
          .filter((r) => r.resourceType === 'Observation' && r.code.coding.some((c) => c.code === test));
      const ucum = (value: number, unit: string) => ({ value, unit, system: 'http://unitsofmeasure.org', code: unit });
      const interpretation = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code }] }];
      // RA-2 at Cochin, a lab counting platelets per mm³ (150 000–400 000): the range in 10⁹/L.
      const ra2 = await demoPatient('RA', 2);
      const platelets = await observations(ra2, 'PLAT');
      expect(platelets.length).toBeGreaterThan(0);
      for (const o of platelets) expect(o.referenceRange).toEqual([{ low: ucum(150, '10*9/L'), high: ucum(400, '10*9/L') }]);
      // RA-2's Day 29 ALT, 160 U/L: above the range (7–40), 4 × ULN is CTCAE grade 2 and under TR-ALT: H, not HH.
      const ra2Alt = (await observations(ra2, 'ALT')).find((o) => o.valueQuantity.value === 160);
      expect(ra2Alt).toMatchObject({ referenceRange: [{ low: ucum(7, 'U/L'), high: ucum(40, 'U/L') }], interpretation: interpretation('H') });
      // PSO-1's Day 15 ALT, 250 U/L: 6.25 × ULN crosses TR-ALT: HH.
      const pso1Alt = (await observations(await demoPatient('PSO', 1), 'ALT')).find((o) => o.valueQuantity.value === 250);
      expect(pso1Alt).toMatchObject({ valueQuantity: ucum(250, 'U/L'), interpretation: interpretation('HH') });
    });

    it('refuses investigators (403), an unknown patient (404) and a malformed id (400)', async () => {
      await vigil.as('investigator', ['PSL']).get(`/fhir/Patient/${RA_1}/$everything`).expect(403);
      await vigil.as('monitor').get('/fhir/Patient/TR-XXX-999/$everything').expect(404);
      expect((await vigil.as('monitor').get('/fhir/Patient/x/$everything').expect(400)).body.errors[0].field).toBe('patientId');
    });
  });

  describe('a void over HTTP', () => {
    it('marks the voided lab result and dose entered-in-error in $everything and takes them out of SDTM LB and EX (an earlier asOf keeps them)', async () => {
      const patientId = await demoPatient('ITP', 2);
      const events = (await vigil.http().get(`/patients/${patientId}/events`).expect(200)).body as {
        eventId: string;
        type: string;
        data: { test?: string; studyDay?: number; collectedAt?: string; administeredAt?: string };
      }[];
      const lab = events.find((e) => e.type === 'LabResultRecorded' && e.data.test === 'PLAT' && e.data.studyDay === 8);
      const dose = events.filter((e) => e.type === 'DoseAdministered')[1]; // Day 2's
      expect(lab && dose).toBeDefined();
      const subject = `TRANSREG-${patientId}`;
      const labRows = (lb: Dataset) =>
        lb.rows.filter((r) => r[column(lb, 'USUBJID')] === subject && r[column(lb, 'LBTESTCD')] === 'PLAT' && r[column(lb, 'LBDTC')] === lab?.data.collectedAt);
      const doseRows = (ex: Dataset) => ex.rows.filter((r) => r[column(ex, 'USUBJID')] === subject && r[column(ex, 'EXSTDTC')] === dose.data.administeredAt);
      const exported = async (domain: string, query: Record<string, string> = {}) => JSON.parse((await sdtm(domain, query).expect(200)).text) as Dataset;
      expect(labRows(await exported('LB'))).toHaveLength(1);
      expect(doseRows(await exported('EX'))).toHaveLength(1);

      await vigil
        .as('data_manager')
        .post(`/patients/${patientId}/lab-results/${lab?.eventId}/void`)
        .send({ reason: 'Haemolysed sample: entered in error' })
        .expect(201);
      await vigil.as('data_manager').post(`/patients/${patientId}/doses/${dose.eventId}/void`).send({ reason: 'Recorded for the wrong patient' }).expect(201);

      const bundle = await vigil.as('monitor').get(`/fhir/Patient/${patientId}/$everything`).expect(200);
      expect(validFhir(bundle.body)).toEqual({ valid: true, errors: [] });
      const resource = (id: string) => (bundle.body.entry as { resource: Resource }[]).map((e) => e.resource).find((r) => r.id === id.replace(/_/g, '.'));
      expect(resource(lab?.eventId as string)).toMatchObject({ resourceType: 'Observation', status: 'entered-in-error' });
      expect(resource(lab?.eventId as string)?.interpretation).toBeUndefined();
      expect(resource(dose.eventId)).toMatchObject({ resourceType: 'MedicationAdministration', status: 'entered-in-error' });

      const lb = await exported('LB');
      const ex = await exported('EX');
      expect(labRows(lb)).toHaveLength(0);
      expect(doseRows(ex)).toHaveLength(0);
      // Still a patient with results and doses: only the voided records went.
      expect(lb.rows.some((r) => r[column(lb, 'USUBJID')] === subject && r[column(lb, 'LBTESTCD')] === 'PLAT')).toBe(true);
      expect(ex.rows.some((r) => r[column(ex, 'USUBJID')] === subject)).toBe(true);
      // As of before the voids, the exports are as they were.
      expect(labRows(await exported('LB', { asOf: settledAt }))).toHaveLength(1);
      expect(doseRows(await exported('EX', { asOf: settledAt }))).toHaveLength(1);
    });
  });
});
