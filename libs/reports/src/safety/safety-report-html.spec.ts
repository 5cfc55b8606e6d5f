import { TrialFold } from '../log/trial-fold';
import { TrialLog } from '../testing/trial-log';
import { safetyReport } from './safety-report';
import { safetyReportHtml } from './safety-report-html';

describe('The printable safety report', () => {
  const log = new TrialLog();
  const recordedAt = '2026-03-02T09:00:00.000Z';
  log.patient(
    'TR-SAT-101',
    {
      type: 'PatientEnrolled',
      version: 1,
      data: { patientId: 'TR-SAT-101', trialId: 'TRANSREG', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1971, weightKg: 64, enrolledAt: recordedAt },
    },
    recordedAt,
  );
  log.patient(
    'TR-SAT-101',
    {
      type: 'AdverseEventReported',
      version: 1,
      data: { patientId: 'TR-SAT-101', term: '<img src=x onerror=alert(1)> & rash', onsetAt: recordedAt, grade: 2, serious: false },
    },
    recordedAt,
  );
  const fold = new TrialFold({ labs: 'compact' });
  for (const event of log.events) fold.apply(event);
  const page = safetyReportHtml(safetyReport(fold, { asOf: '2026-03-03T00:00:00.000Z' }));

  it('shows what an investigator typed as text, never as markup', () => {
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; rash');
  });

  it('says the moment and the log position the numbers are from', () => {
    expect(page).toContain('As of <strong>2026-03-03T00:00:00.000Z</strong>, log position <strong>2</strong>');
  });
});
