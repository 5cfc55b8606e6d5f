import { PROJECTOR_CONFIG, type ProjectorConfig } from '@vigil/alerting';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

/**
 * A reporting clock past its deadline, as a safety officer sees it on a default deployment (the escalator's
 * pass every VIGIL_ALERT_ESCALATION_CHECK_MS, a minute): overdue and escalated in the first answer after the
 * report of the event, not a pass later (docs/safety-rules.md §5, §7).
 */
jest.setTimeout(60_000);

const HOUR = 3_600_000;

interface Alert {
  alertId: string;
  ruleId: string;
  status: string;
  escalated: boolean;
  overdue: boolean;
  deadline?: string;
}

describe('SAE clock on the default escalation check interval (over HTTP)', () => {
  let vigil: VigilHarness;

  beforeAll(async () => {
    vigil = await startVigil();
  });
  afterAll(async () => {
    await vigil.close();
  });

  const investigator = () => vigil.as('investigator', ['SAT'], { sub: 'u-ines', name: 'Ines Investigator' });
  const officer = () => vigil.as('safety_officer', [], { sub: 'u-sofia', name: 'Sofia Safety' });
  const alertsOf = async (patientId: string): Promise<Alert[]> => (await officer().get('/alerts').query({ patientId }).expect(200)).body.items;
  const reportSae = async (patientId: string, awareAt: string): Promise<string> =>
    (
      await investigator()
        .post(`/patients/${patientId}/adverse-events`)
        .send({ term: 'Pneumonia', onsetAt: daysAgo(2), awareAt, grade: 3, serious: true, seriousnessCriteria: ['hospitalisation'] })
        .expect(201)
    ).body.eventId as string;

  it('runs with the default check interval of a minute', () => {
    expect(vigil.app.get<symbol, ProjectorConfig>(PROJECTOR_CONFIG).escalationCheckMs).toBe(60_000);
  });

  it('shows an SAE learned of 30 hours ago overdue and escalated at once, on every view; the sponsor report ends both', async () => {
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-SAT-201', enrolledAt: daysAgo(60) }))
      .expect(201);
    const sae = await reportSae('TR-SAT-201', new Date(Date.now() - 30 * HOUR).toISOString());

    const [alert] = await alertsOf('TR-SAT-201');
    expect(alert).toMatchObject({ ruleId: 'SAE-24H', status: 'open', overdue: true, escalated: true });
    expect((await officer().get(`/alerts/${alert.alertId}`).expect(200)).body).toMatchObject({ overdue: true, escalated: true });
    const safety = (await officer().get('/patients/TR-SAT-201/safety').expect(200)).body;
    expect(safety.openAlerts).toEqual([expect.objectContaining({ alertId: alert.alertId, overdue: true })]);

    // Acknowledging it does not stop the clock: the report is still due.
    const acknowledged = (await officer().post(`/alerts/${alert.alertId}/acknowledge`).send({ note: 'calling the site' }).expect(200)).body;
    expect(acknowledged).toMatchObject({ status: 'acknowledged', overdue: true });

    await investigator().post(`/patients/TR-SAT-201/adverse-events/${sae}/sponsor-reports`).send({ reportedAt: new Date().toISOString() }).expect(201);
    expect(await alertsOf('TR-SAT-201')).toEqual([expect.objectContaining({ status: 'closed', late: true, overdue: false })]);
  });

  it('shows an SAE learned of an hour ago neither overdue nor escalated, and a lab alert (no deadline) never overdue', async () => {
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-SAT-202', enrolledAt: daysAgo(60) }))
      .expect(201);
    await reportSae('TR-SAT-202', new Date(Date.now() - HOUR).toISOString());
    await investigator()
      .post('/patients/TR-SAT-202/lab-results')
      .send({ test: 'PLAT', value: 40, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
    const alerts = await alertsOf('TR-SAT-202');
    expect(alerts.map((a) => [a.ruleId, a.overdue, a.escalated]).sort()).toEqual([
      ['SAE-24H', false, false],
      ['TR-PLT', false, false],
    ]);
  });
});
