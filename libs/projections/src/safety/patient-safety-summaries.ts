import {
  activeAdverseEvents,
  activeLabs,
  assessLabResult,
  baselineFor,
  doseCompliance,
  missedDoses,
  PatientNotFoundError,
  TRANSREG,
  type TrialProtocol,
  type LabEntry,
  type ReferenceRange,
} from '@vigil/domain';
import type { AlertList } from '../alerts/alert-list';
import type { ReadModelDatabase } from '../read-model-database';
import { readWatch, type PatientWatch } from './patient-watch';
import type { AdverseEventSummary, LabSummary, NormalRangeIndicator, PatientSafetySummary } from './patient-safety-summary';
import { SAFETY_PROCESS } from './safety-process.projection';

const SAE_RULE = 'SAE-24H';

/**
 * The patient safety summary, composed from the safety process's folded patient state and the alert
 * list. What depends on the clock (missed doses, compliance) is reckoned at query time, so it never
 * goes stale; every judgement is the domain's.
 */
export class PatientSafetySummaries {
  constructor(
    private readonly db: ReadModelDatabase,
    private readonly alerts: AlertList,
    private readonly protocol: TrialProtocol = TRANSREG,
  ) {}

  /** One read snapshot for the patient's row and alerts: a switch of builds meanwhile is never half seen. */
  get(patientId: string, asOf: Date = new Date()): PatientSafetySummary {
    return this.db.read(() => this.summary(patientId, asOf));
  }

  private summary(patientId: string, asOf: Date): PatientSafetySummary {
    const patients = this.db.liveTable(SAFETY_PROCESS, 'patients');
    const records = this.db.liveTable(SAFETY_PROCESS, 'records');
    const row = patients && records ? readWatch((sql) => this.db.statement(sql), { patients, records }, patientId) : undefined;
    const watch = row?.watch;
    if (!row || !watch?.state.enrolled) throw new PatientNotFoundError(patientId);
    const { state } = watch;
    return {
      patientId,
      siteId: state.siteId,
      disease: state.disease,
      asOf: asOf.toISOString(),
      position: row.position,
      labs: this.labs(watch),
      openAlerts: this.alerts.openFor(patientId),
      doses: { compliance: doseCompliance(state, asOf, this.protocol), missed: missedDoses(state, asOf, this.protocol) },
      adverseEvents: this.adverseEvents(watch),
    };
  }

  private labs({ state }: PatientWatch): LabSummary[] {
    const latest = new Map<string, LabEntry>();
    for (const entry of activeLabs(state)) latest.set(entry.current.test, entry); // clinical-time order: the last wins
    return [...latest.values()].map((entry) => {
      const lab = { eventId: entry.eventId, data: entry.current };
      const assessment = assessLabResult(state, lab);
      const baseline = baselineFor(state, lab);
      const n = entry.current.normalised;
      const indicator = normalRange(n.value, n.referenceRange);
      return {
        test: entry.current.test,
        latest: {
          eventId: entry.eventId,
          value: entry.current.value,
          unit: entry.current.unit,
          normalisedValue: n.value,
          normalisedUnit: n.unit,
          ...(n.referenceRange ? { referenceRange: n.referenceRange } : {}),
          collectedAt: entry.current.collectedAt,
          ...(entry.current.studyDay !== undefined ? { studyDay: entry.current.studyDay } : {}),
          corrected: entry.corrections.length > 0,
        },
        grade: assessment.grade.grade,
        gradeBasis: assessment.grade.basis,
        ...(assessment.grade.ungradableReason ? { ungradableReason: assessment.grade.ungradableReason } : {}),
        flags: [...(indicator ? [indicator] : []), ...assessment.ruleHits.map((hit) => hit.ruleId)],
        notEvaluated: assessment.notEvaluated,
        baseline: baseline ? { value: baseline.value, unit: n.unit, ...(baseline.referenceRange ? { referenceRange: baseline.referenceRange } : {}) } : null,
        ...(assessment.crclMlMin !== undefined ? { crclMlMin: assessment.crclMlMin } : {}),
      };
    });
  }

  private adverseEvents(watch: PatientWatch): AdverseEventSummary[] {
    return activeAdverseEvents(watch.state).map((entry) => {
      const ae = entry.current;
      const saeAlertId = watch.standing[entry.eventId]?.[SAE_RULE];
      const deadline = saeAlertId ? this.alerts.get(saeAlertId)?.deadline : undefined;
      return {
        eventId: entry.eventId,
        term: ae.term,
        onsetAt: ae.onsetAt,
        grade: ae.grade,
        serious: ae.serious,
        seriousnessCriteria: ae.seriousnessCriteria ?? [],
        ...(ae.relatedness ? { relatedness: ae.relatedness } : {}),
        ...(ae.outcome ? { outcome: ae.outcome } : {}),
        corrected: entry.corrections.length > 0,
        ...(deadline ? { saeReportingDeadline: deadline } : {}),
        ...(saeAlertId ? { saeAlertId } : {}),
      };
    });
  }
}

function normalRange(value: number, range: ReferenceRange | undefined): NormalRangeIndicator | undefined {
  if (!range || (range.low === undefined && range.high === undefined)) return undefined;
  if (range.low !== undefined && value < range.low) return 'LOW';
  if (range.high !== undefined && value > range.high) return 'HIGH';
  return 'NORMAL';
}
