import type { AlertSeverity } from '../events';
import { followUpOf, type AdverseEventEntry, type PatientState, type ReportEntry } from '../patient/patient-state';
import { saeReportingDeadline, susarReportingDeadline } from './sae-clock';
import type { RuleId } from './rule-catalogue';

/** What an adverse event calls for (docs/safety-rules.md §5): its alerts, with their clocks and what closed them. */
export interface AdverseEventCall {
  ruleId: Extract<RuleId, 'SAE-24H' | 'AE-SEVERE' | 'SUSAR-7D' | 'SUSAR-15D'>;
  severity: AlertSeverity;
  grade: number;
  message: string;
  deadline?: string;
  /** The report that closed the clock, when one was recorded. */
  closedBy?: ReportEntry & { late: boolean };
}

const SUSPECTED = new Set(['possible', 'probable', 'definite']);

/**
 * The alerts an adverse event calls for, as it stands now:
 * - SAE-24H for a serious event: the investigator reports it to the sponsor within 24 hours of becoming aware
 *   of it (`awareAt`, else the time Vigil recorded it); the first sponsor report closes it (late or not).
 * - AE-SEVERE for a non-serious event of grade 3 or 4 (critical at grade 4): severity is not seriousness.
 * - SUSAR-7D / SUSAR-15D for a serious event the sponsor assessed (its last assessment) as related (possible,
 *   probable, definite) and unexpected: Day 0 is the sponsor's first knowledge (the first sponsor report,
 *   else the assessment); the first regulatory report closes it.
 */
export function adverseEventCalls(state: PatientState, entry: AdverseEventEntry): AdverseEventCall[] {
  if (entry.voided) return [];
  const ae = entry.current;
  const followUp = followUpOf(state, entry.eventId);
  const calls: AdverseEventCall[] = [];
  const criteria = (ae.seriousnessCriteria ?? []).join(', ');
  const awareAt = ae.awareAt ?? entry.recordedAt;
  if (ae.serious && awareAt) {
    const clock = saeReportingDeadline(ae, awareAt);
    if (clock) {
      const report = followUp.sponsorReports[0];
      calls.push({
        ruleId: 'SAE-24H',
        severity: 'critical',
        grade: ae.grade,
        deadline: clock.deadline,
        message:
          `Serious adverse event "${ae.term}" (grade ${ae.grade}; ${criteria}), known since ${clock.knownAt}: ` +
          `report to the sponsor by ${clock.deadline} (SAE-24H)`,
        ...(report ? { closedBy: { ...report, late: Date.parse(report.reportedAt) > Date.parse(clock.deadline) } } : {}),
      });
    }
  }
  if (!ae.serious && ae.grade >= 3) {
    calls.push({
      ruleId: 'AE-SEVERE',
      severity: ae.grade >= 4 ? 'critical' : 'warning',
      grade: ae.grade,
      message: `Severe adverse event "${ae.term}", CTCAE grade ${ae.grade}, not serious (AE-SEVERE)`,
    });
  }
  const assessment = followUp.assessments[followUp.assessments.length - 1];
  if (ae.serious && assessment && !assessment.expected && SUSPECTED.has(assessment.causality)) {
    const firstKnownAt = followUp.sponsorReports[0]?.reportedAt ?? assessment.assessedAt;
    const clock = susarReportingDeadline({ ...ae, relatedness: assessment.causality }, firstKnownAt, true);
    if (clock) {
      const report = followUp.regulatoryReports[0];
      const days = clock.ruleId === 'SUSAR-7D' ? 7 : 15;
      calls.push({
        ruleId: clock.ruleId,
        severity: 'critical',
        grade: ae.grade,
        deadline: clock.deadline,
        message:
          `Suspected unexpected serious adverse reaction "${ae.term}" (${assessment.causality}, unexpected): report to the regulator within ` +
          `${days} days of ${clock.firstKnownAt.slice(0, 10)}, by ${clock.deadline} (${clock.ruleId})`,
        ...(report ? { closedBy: { ...report, late: Date.parse(report.reportedAt) > Date.parse(clock.deadline) } } : {}),
      });
    }
  }
  return calls;
}

/** Whether the sponsor's last assessment of the event makes it a SUSAR (for the regulatory report command). */
export function isSusar(state: PatientState, entry: AdverseEventEntry): boolean {
  return adverseEventCalls(state, entry).some((call) => call.ruleId === 'SUSAR-7D' || call.ruleId === 'SUSAR-15D');
}
