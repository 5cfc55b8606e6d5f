import { ruleNamed, isRuleId, TRANSREG } from '@vigil/domain';
import type { SafetyReport } from './safety-report';

const escape = (value: unknown): string =>
  String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function table(headers: string[], rows: unknown[][], empty = 'None.'): string {
  if (rows.length === 0) return `<p>${escape(empty)}</p>`;
  const head = headers.map((h) => `<th scope="col">${escape(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const grade = (g: number | null): string => (g === null ? 'not gradable / none' : `grade ${g}`);

/** The safety report as a printable page: the same numbers as the JSON, nothing computed here. */
export function safetyReportHtml(report: SafetyReport): string {
  const { exposure, adverseEvents, labShifts, alerts, thresholds } = report;
  const scope = [
    report.filters.disease ? `disease ${report.filters.disease}` : 'all diseases',
    report.filters.siteId ? `site ${report.filters.siteId}` : 'all sites',
  ].join(', ');
  const ruleTitle = (id: string) => (isRuleId(id) ? ruleNamed(id).title : id);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(report.trialId)} safety report as of ${escape(report.asOf)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #999}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #bbb;padding:.2rem .5rem;text-align:left}th{background:#eee}
@media print{body{margin:0}h2{break-after:avoid}table{break-inside:auto}}
</style></head><body>
<h1>${escape(TRANSREG.title)} (${escape(report.trialId)}): safety report</h1>
<p>As of <strong>${escape(report.asOf)}</strong>, log position <strong>${escape(report.position)}</strong>; ${escape(scope)}.</p>
<h2>Exposure</h2>
${table(
  ['enrolled', 'on treatment', 'suspended', 'doses given', 'doses due'],
  [[exposure.enrolled, exposure.onTreatment, exposure.suspended, exposure.dosesGiven, exposure.dosesDue]],
)}
<h3>Treatment stopped</h3>
${table(
  ['status', 'reason', 'patients'],
  exposure.stopped.map((s) => [s.status, s.reason, s.patients]),
)}
<h3>Dose deviations</h3>
${table(
  ['rule', 'count'],
  exposure.deviations.map((d) => [d.ruleId, d.count]),
)}
<h2>Adverse events by term, worst grade and disease</h2>
${table(
  ['term', 'disease', 'worst grade', 'patients', 'events'],
  adverseEvents.byTerm.map((l) => [l.term, l.disease, l.worstGrade, l.patients, l.events]),
)}
<h3>Serious adverse events</h3>
${table(
  ['patient', 'disease', 'term', 'grade', 'onset', 'clocks'],
  adverseEvents.serious.map((s) => [
    s.patientId,
    s.disease,
    s.term,
    s.grade,
    s.onsetAt,
    s.clocks
      .map((c) => `${c.ruleId} due ${c.deadline}: ${c.reportedAt ? `reported ${c.reportedAt}${c.late ? ' (late)' : ''}` : c.overdue ? 'OVERDUE' : 'open'}`)
      .join('; '),
  ]),
)}
<h3>Deaths</h3>
${table(
  ['patient', 'disease', 'term', 'onset'],
  adverseEvents.deaths.map((d) => [d.patientId, d.disease, d.term, d.onsetAt]),
)}
<h2>Lab shifts: baseline grade → worst grade on treatment</h2>
${labShifts
  .map(
    (t) =>
      `<h3>${escape(t.test)} (${escape(t.patients)} patients)</h3>\n${table(
        ['baseline', 'worst on treatment', 'patients'],
        t.cells.map((c) => [grade(c.baselineGrade), grade(c.worstGrade), c.patients]),
      )}`,
  )
  .join('\n')}
<h2>Alerts by rule and severity</h2>
${table(
  ['rule', 'severity', 'raised', 'open', 'acknowledged', 'retracted', 'closed', 'median h to ack.', 'max h to ack.'],
  alerts.byRule.map((a) => [
    `${a.ruleId}: ${ruleTitle(a.ruleId)}`,
    a.severity,
    a.raised,
    a.open,
    a.acknowledged,
    a.retracted,
    a.closed,
    a.medianHoursToAcknowledge,
    a.maxHoursToAcknowledge,
  ]),
)}
<h3>Open alerts</h3>
${table(
  ['raised', 'rule', 'severity', 'patient', 'site'],
  alerts.open.map((a) => [a.raisedAt, a.ruleId, a.severity, a.patientId, a.siteId]),
)}
<h2>Protocol thresholds crossed, by disease</h2>
${table(
  ['disease', 'patients', 'crossed a threshold', 'who'],
  thresholds.map((t) => [t.disease, t.patients, t.crossed, t.patientIds.join(', ')]),
)}
</body></html>
`;
}
