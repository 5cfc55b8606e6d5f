import type { AlertFigures, LabResultRecordedData, LabTestCode } from '../events';
import { instantMs } from '../instant';
import type { StoredPatientEvent } from '../patient/evolve';
import type { PatientChart } from '../patient/patient-chart';
import { recordOf, type PatientState } from '../patient/patient-state';
import type { TrialProtocol } from '../protocol/trial-protocol';
import { TRANSREG } from '../protocol/transreg';
import { adverseEventCalls } from './adverse-event-rules';
import { assessLabResult } from './assess-lab-result';
import { baselineCutoff } from './baseline';
import { amountAndRoute, doseGrid, missedDoses, timingDeviations, type DoseDeviation, type DoseGrid } from './dose-grid';
import { HY_LAW, HY_LAW_TESTS, hyLawEpisodes, hyLawMessage } from './hy-law';
import type { RuleId } from './rule-catalogue';

/**
 * What the rules say about a patient after an event: the alerts that should stand (`calls`) on the subjects
 * the event could have changed (`scopes`). The alerting reactor reconciles them with the alerts standing
 * (alerts/reconcile.ts): a call with no standing alert raises one, a changed one updates it, a standing
 * alert in scope with no call is retracted. Pure; the clock is `judgedAt`.
 */
export interface Judgement {
  scopes: Scope[];
  calls: AlertCall[];
}

/** Subjects judged: one (`lab/<id>`) or every one with a prefix (`dose/`), for some rules only. */
export interface Scope {
  subject: string;
  prefix: boolean;
  rules: readonly RuleId[];
}

/** One alert the rules call for. */
export interface AlertCall {
  ruleId: RuleId;
  /**
   * What the alert is about, stable across re-judgements: `lab/<record id>`, `dose/<record id>`,
   * `ae/<record id>`, `hy-law/<id of the result that completed the pair>`, `due/<due day>`.
   */
  subject: string;
  figures: AlertFigures;
  threshold: number | null;
  thresholdUnit: string | null;
  /** When the fact happened clinically (collection, administration, onset, due day). */
  occurredAt: string;
  /** The report that closed the alert's clock (SAE-24H, SUSAR-*). */
  closedBy?: { eventId: string; reportedAt: string; reference?: string; late: boolean };
}

export interface JudgeContext {
  /** When the event is judged: its recording time, or the timer's now. Missed doses are those whose window closed by then. */
  judgedAt: string;
  protocol?: TrialProtocol;
  /** The maintenance window (VIGIL_DOSE_WINDOW_DAYS). */
  windowDays?: number;
  /** VIGIL_HY_LAW_WINDOW_DAYS. */
  hyLawWindowDays?: number;
  /** The patient has an open (unacknowledged) critical alert: a dose recorded now raises DOSE-DURING-CRITICAL. */
  openCritical?: boolean;
  /** Clinical time (ms) of the first dose before the event: when the event moves it, every baseline may move. */
  firstDoseBefore?: number | null;
}

export const LAB_RULES: readonly RuleId[] = ['TR-WBC', 'TR-LYM', 'TR-PLT', 'TR-ALT', 'TR-AST', 'TR-CRCL', 'CTCAE-LAB'];
export const DOSE_RULES: readonly RuleId[] = [
  'DOSE-AMOUNT',
  'DOSE-ROUTE',
  'DOSE-WINDOW',
  'DOSE-EXTRA-INDUCTION',
  'DOSE-INDUCTION-GAP',
  'DOSE-SAME-DAY',
  'DOSE-AFTER-STOP',
];
export const ADVERSE_EVENT_RULES: readonly RuleId[] = ['SAE-24H', 'AE-SEVERE', 'SUSAR-7D', 'SUSAR-15D'];

const labSubject = (id: string): string => `lab/${id}`;
const doseSubject = (id: string): string => `dose/${id}`;
const aeSubject = (id: string): string => `ae/${id}`;

/** The record a subject is about (`lab/<id>` → `<id>`), or undefined for a due day or an episode. */
export const recordIdOf = (subject: string): string | undefined => {
  const [kind, id] = [subject.slice(0, subject.indexOf('/')), subject.slice(subject.indexOf('/') + 1)];
  return kind === 'lab' || kind === 'dose' || kind === 'ae' ? id : undefined;
};

/** Judges the patient after one event of their stream (already folded into `state` and observed by `chart`). */
export function judgeEvent(state: PatientState, chart: PatientChart, stored: StoredPatientEvent, ctx: JudgeContext): Judgement {
  const judgement = new Judging(state, chart, ctx);
  const { event } = stored;
  switch (event.type) {
    case 'PatientEnrolled':
      // Demographics and the disease arrive: whatever was judged without them is judged again (a stream starts with it).
      for (const id of Object.keys(state.labs)) judgement.lab(id);
      judgement.doses();
      break;
    case 'LabResultRecorded':
      judgement.labAndDependents(stored.eventId, event.data);
      break;
    case 'LabResultCorrected':
      judgement.labAndDependents(event.data.originalEventId, event.data.newValues, event.data.oldValues);
      break;
    case 'LabResultEnteredInError': {
      // The voided record keeps its last values: those are what may have been another result's baseline.
      const voided = recordOf(state, 'labs', event.data.originalEventId);
      judgement.labAndDependents(event.data.originalEventId, null, voided?.current ?? event.data.oldValues);
      break;
    }
    case 'DoseAdministered':
      judgement.doses();
      judgement.doseDuringCritical(stored.eventId, true);
      judgement.labsIfDay1Moved();
      break;
    case 'DoseCorrected':
      judgement.doses();
      judgement.labsIfDay1Moved();
      break;
    case 'DoseEnteredInError':
      judgement.doses();
      judgement.doseDuringCritical(event.data.originalEventId, false);
      judgement.labsIfDay1Moved();
      break;
    case 'AdverseEventReported':
      judgement.adverseEvent(stored.eventId);
      judgement.doses(); // a fatal event ends the treatment
      break;
    case 'AdverseEventCorrected':
    case 'AdverseEventEnteredInError':
      judgement.adverseEvent(event.data.originalEventId);
      judgement.doses();
      break;
    case 'SponsorReportRecorded':
    case 'AdverseEventAssessed':
    case 'RegulatoryReportRecorded':
      judgement.adverseEvent(event.data.adverseEventId);
      break;
    case 'TreatmentStatusChanged':
      judgement.doses();
      break;
  }
  judgement.missed();
  return judgement.result();
}

/** Judges what the clock alone can change, with no new event: missed doses (the reactor's timer). */
export function judgeSchedule(state: PatientState, chart: PatientChart, ctx: JudgeContext): Judgement {
  const judgement = new Judging(state, chart, ctx);
  judgement.missed();
  return judgement.result();
}

/**
 * Judges everything about the patient at once, as if every rule were evaluated afresh at `judgedAt`
 * (DOSE-DURING-CRITICAL aside: it depends on the alerts open when each dose was recorded). What the
 * reactor's event-by-event judgements add up to; a replay shows it.
 */
export function judgePatient(state: PatientState, chart: PatientChart, ctx: JudgeContext): Judgement {
  const judgement = new Judging(state, chart, ctx);
  for (const id of Object.keys(state.labs)) judgement.lab(id);
  judgement.hyLaw();
  judgement.doses();
  for (const id of Object.keys(state.adverseEvents)) judgement.adverseEvent(id);
  judgement.missed();
  return judgement.result();
}

class Judging {
  private readonly scopes: Scope[] = [];
  private readonly calls: AlertCall[] = [];
  private readonly judgedLabs = new Set<string>();
  private hyLawJudged = false;
  private dosesJudged = false;
  private grid: DoseGrid | undefined;

  constructor(
    private readonly state: PatientState,
    private readonly chart: PatientChart,
    private readonly ctx: JudgeContext,
  ) {}

  result(): Judgement {
    return { scopes: this.scopes, calls: this.calls };
  }

  /**
   * A result, and whatever its values can change besides it: when it is (or was) at or before the baseline
   * cutoff, the later results of its test, whose baseline it may be; Hy's law when it is a liver test.
   */
  labAndDependents(id: string, now: LabResultRecordedData | null, before?: LabResultRecordedData): void {
    this.lab(id);
    for (const values of [now, before]) {
      if (!values) continue;
      const time = instantMs(values.collectedAt);
      // A result on or before the first dose may be any result's baseline of its test; before any dose, of the later ones.
      if (time <= baselineCutoff(this.chart, values)) this.labsOfTestFrom(values.test, this.chart.firstDose() ? -Infinity : time);
      if (HY_LAW_TESTS.includes(values.test)) this.hyLaw();
    }
  }

  /** Every result again, when the event moved Day 1 (the first dose): baselines are taken on or before it. */
  labsIfDay1Moved(): void {
    const before = this.ctx.firstDoseBefore;
    const after = this.chart.firstDose()?.time ?? null;
    if (before === undefined || before === after) return;
    for (const id of Object.keys(this.state.labs)) this.lab(id);
  }

  lab(id: string): void {
    if (this.judgedLabs.has(id)) return;
    this.judgedLabs.add(id);
    const subject = labSubject(id);
    this.scopes.push({ subject, prefix: false, rules: LAB_RULES });
    const entry = recordOf(this.state, 'labs', id);
    if (!entry || entry.voided) return;
    const data = entry.current;
    const assessment = assessLabResult(this.state, this.chart, { eventId: id, data });
    for (const hit of assessment.ruleHits) {
      this.calls.push({
        ruleId: hit.ruleId,
        subject,
        figures: {
          value: data.value,
          unit: data.unit,
          normalisedValue: data.normalised.value,
          normalisedUnit: data.normalised.unit,
          grade: hit.grade ?? null,
          severity: hit.severity,
          message: hit.message,
        },
        threshold: hit.threshold,
        thresholdUnit: hit.thresholdUnit,
        occurredAt: data.collectedAt,
      });
    }
  }

  hyLaw(): void {
    if (this.hyLawJudged) return;
    this.hyLawJudged = true;
    this.scopes.push({ subject: 'hy-law/', prefix: true, rules: ['HY-LAW'] });
    const windowDays = this.ctx.hyLawWindowDays ?? HY_LAW.windowDays;
    for (const episode of hyLawEpisodes(this.chart, windowDays)) {
      this.calls.push({
        ruleId: 'HY-LAW',
        subject: `hy-law/${episode.completedBy}`,
        figures: {
          value: episode.transaminase.ulnMultiple,
          unit: `×ULN (${episode.transaminase.test})`,
          normalisedValue: episode.bilirubin.ulnMultiple,
          normalisedUnit: '×ULN (BILI)',
          grade: null,
          severity: 'critical',
          message: hyLawMessage(episode, windowDays),
        },
        threshold: HY_LAW.transaminaseUln,
        thresholdUnit: '×ULN',
        occurredAt: episode.at,
      });
    }
  }

  /** Every dose against the grid, amount and route (a change of one dose can move the place of every later one). */
  doses(): void {
    if (this.dosesJudged) return;
    this.dosesJudged = true;
    this.scopes.push({ subject: 'dose/', prefix: true, rules: DOSE_RULES });
    const protocol = this.ctx.protocol ?? TRANSREG;
    const grid = this.doseGrid();
    for (const placed of grid.doses) {
      const { entry } = placed.dose;
      const deviations = [...amountAndRoute(entry.eventId, entry.current, protocol), ...timingDeviations(grid, placed, protocol)];
      const byRule = new Map<string, DoseDeviation>();
      for (const deviation of deviations) if (!byRule.has(deviation.ruleId)) byRule.set(deviation.ruleId, deviation);
      for (const deviation of byRule.values()) this.calls.push(this.doseCall(entry.eventId, entry.current, deviation));
    }
  }

  /** DOSE-DURING-CRITICAL is judged when the dose is recorded (against the alerts open then), and retracted if it is voided. */
  doseDuringCritical(id: string, recorded: boolean): void {
    const subject = doseSubject(id);
    this.scopes.push({ subject, prefix: false, rules: ['DOSE-DURING-CRITICAL'] });
    const entry = recordOf(this.state, 'doses', id);
    if (!recorded || !entry || entry.voided || !this.ctx.openCritical) return;
    const d = entry.current;
    this.calls.push({
      ruleId: 'DOSE-DURING-CRITICAL',
      subject,
      figures: {
        value: d.dose,
        unit: d.unit,
        normalisedValue: null,
        normalisedUnit: null,
        grade: null,
        severity: 'critical',
        message: `Dose given on ${d.administeredAt.slice(0, 10)} while the patient has an open critical alert (DOSE-DURING-CRITICAL)`,
      },
      threshold: null,
      thresholdUnit: null,
      occurredAt: d.administeredAt,
    });
  }

  adverseEvent(id: string): void {
    const subject = aeSubject(id);
    this.scopes.push({ subject, prefix: false, rules: ADVERSE_EVENT_RULES });
    const entry = recordOf(this.state, 'adverseEvents', id);
    if (!entry) return;
    for (const call of adverseEventCalls(this.state, entry)) {
      this.calls.push({
        ruleId: call.ruleId,
        subject,
        figures: {
          value: null,
          unit: null,
          normalisedValue: null,
          normalisedUnit: null,
          grade: call.grade,
          severity: call.severity,
          message: call.message,
          ...(call.deadline ? { deadline: call.deadline } : {}),
        },
        threshold: null,
        thresholdUnit: null,
        occurredAt: entry.current.onsetAt,
        ...(call.closedBy ? { closedBy: call.closedBy } : {}),
      });
    }
  }

  /** Due doses whose window closed by `judgedAt` with no dose (docs/protocol.md "Treatment: one drug, one arm"). */
  missed(): void {
    this.scopes.push({ subject: 'due/', prefix: true, rules: ['DOSE-MISSED'] });
    for (const missed of missedDoses(this.state, this.doseGrid(), instantMs(this.ctx.judgedAt))) {
      const dueAt = missed.dueAt as string;
      this.calls.push({
        ruleId: 'DOSE-MISSED',
        subject: `due/${dueAt.slice(0, 10)}`,
        figures: {
          value: null,
          unit: null,
          normalisedValue: null,
          normalisedUnit: null,
          grade: null,
          severity: 'warning',
          message: `${missed.message} (DOSE-MISSED)`,
        },
        threshold: null,
        thresholdUnit: null,
        occurredAt: dueAt,
      });
    }
  }

  private labsOfTestFrom(test: LabTestCode, fromTime: number): void {
    for (const timed of this.chart.labsOf(test)) if (timed.time >= fromTime) this.lab(timed.entry.eventId);
  }

  private doseGrid(): DoseGrid {
    return (this.grid ??= doseGrid(this.state, this.chart, { protocol: this.ctx.protocol, windowDays: this.ctx.windowDays }));
  }

  private doseCall(id: string, dose: { dose: number; unit: string; administeredAt: string }, deviation: DoseDeviation): AlertCall {
    const message = deviation.expected ? `${deviation.message} (expected ${deviation.expected})` : deviation.message;
    return {
      ruleId: deviation.ruleId,
      subject: doseSubject(id),
      figures: { value: dose.dose, unit: dose.unit, normalisedValue: null, normalisedUnit: null, grade: null, severity: 'warning', message },
      threshold: null,
      thresholdUnit: null,
      occurredAt: dose.administeredAt,
    };
  }
}
