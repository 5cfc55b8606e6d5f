import {
  clinicalTimeOfRecord,
  instantMs,
  adverseEventSummaries,
  doseCompliance,
  doseGrid,
  missedDoses,
  RECORD_KINDS,
  treatmentOf,
  UNRESOLVED_ALERT_STATUSES,
  type AdverseEventReportedData,
  type DosingOptions,
  type DoseAdministeredData,
  type PatientSafetyFacts,
  type PatientState,
  type RecordedEntry,
  type RecordKind,
} from '@vigil/domain';
import type { AlertView } from './alert-view';
import type { PatientAt } from './fold-patient-at';
import { gradedLab, headOf, type LabView, type PatientAtHead } from './replay-patient-at';
import { encodeRecordCursor, type RecordCursor, type RecordPageRequest } from './state-query';

/** One record behind a summary: a lab result (graded), a dose or an adverse event, as it stood then. */
export type RecordView =
  ({ kind: 'lab' } & LabView) | ({ kind: 'dose' } & RecordedEntry<DoseAdministeredData>) | ({ kind: 'adverseEvent' } & RecordedEntry<AdverseEventReportedData>);

/** A page of the records behind a summary, in clinical-time order (ties by recording order), voided ones included (marked). */
export interface RecordPage {
  items: RecordView[];
  limit: number;
  /** Give it as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/** A patient as they were at a point in time, summed up: what `GET /patients/:patientId/state` answers by default. */
export interface PatientStateSummary extends PatientAtHead {
  view: 'summary';
  /** The moment dosing and the treatment status are reckoned at: the earliest bound of the point in time, else now. */
  reckonedAt: string;
  treatment: PatientSafetyFacts['treatment'];
  /** Per lab test: the latest value, its grade, flags and the baseline. */
  labs: PatientSafetyFacts['labs'];
  doses: PatientSafetyFacts['doses'] & { recorded: number; voided: number };
  adverseEvents: PatientSafetyFacts['adverseEvents'];
  /** Alerts not yet resolved (open or acknowledged) then, and how many alerts stood in each status. */
  alerts: { open: AlertView[]; byStatus: Record<string, number> };
  /** How many records (labs, doses, adverse events, voided ones included) lie behind the summary; a page of them with `include=records`. */
  records: { total: number; page?: RecordPage };
}

/**
 * Sums up a fold at a point in time with the domain's safety facts (the rules the alerting reactor
 * judges with): per test the latest value graded and flagged against its baseline, dosing against the
 * grid, adverse events with their clocks, and the alerts then unresolved. With `page`, a page of the
 * records behind it.
 */
export function stateSummaryOf(at: PatientAt, options: { now: Date; dosing?: DosingOptions; page?: RecordPageRequest }): PatientStateSummary {
  const { state } = at;
  const reckonedAt = reckoningMoment(at, options.now);
  const chart = at.chart();
  const asOfMs = reckonedAt.getTime();
  const grid = doseGrid(state, chart, options.dosing);
  const byStatus: Record<string, number> = {};
  for (const alert of at.alerts) byStatus[alert.status] = (byStatus[alert.status] ?? 0) + 1;
  const census = at.census();
  return {
    view: 'summary',
    ...headOf(at),
    reckonedAt: reckonedAt.toISOString(),
    // The domain's safety facts (safetyFactsOf), the moment-free parts kept with the snapshot.
    treatment: treatmentOf(state, asOfMs),
    labs: at.labSummaries(),
    doses: {
      recorded: census.doses,
      voided: census.dosesVoided,
      compliance: doseCompliance(state, chart, reckonedAt, options.dosing),
      missed: missedDoses(state, grid, asOfMs),
    },
    adverseEvents: adverseEventSummaries(state),
    alerts: { open: at.alerts.filter((alert) => UNRESOLVED_ALERT_STATUSES.includes(alert.status)), byStatus },
    records: options.page
      ? { total: census.labs + census.doses + census.adverseEvents, page: recordPage(state, chart, options.page) }
      : { total: census.labs + census.doses + census.adverseEvents },
  };
}

/** The earliest bound the point in time gives (asOf, asKnownAt, the recording of the event at atVersion), else now. */
function reckoningMoment(at: PatientAt, now: Date): Date {
  const { asOf, asKnownAt } = at.pointInTime;
  const earliest = Math.min(asOf === undefined ? Infinity : instantMs(asOf), asKnownAt === undefined ? Infinity : instantMs(asKnownAt), at.knownUntilMs);
  return Number.isFinite(earliest) ? new Date(earliest) : now;
}

const KIND_OF: Record<RecordKind, RecordView['kind']> = { labs: 'lab', doses: 'dose', adverseEvents: 'adverseEvent' };

/** The records after the cursor, in clinical-time order (ties by recording order); only the page's results are graded. */
function recordPage(state: PatientState, chart: ReturnType<PatientAt['chart']>, request: RecordPageRequest): RecordPage {
  const timed: { kind: RecordKind; entry: RecordedEntry<unknown>; time: number; seq: number }[] = [];
  const after = request.cursor;
  for (const kind of RECORD_KINDS) {
    for (const entry of Object.values(state[kind] as Readonly<Record<string, RecordedEntry<unknown>>>)) {
      const time = Date.parse(clinicalTimeOfRecord(kind, entry.current as never));
      if (after && !isAfter(time, entry.recordedSeq, after)) continue;
      timed.push({ kind, entry, time, seq: entry.recordedSeq });
    }
  }
  timed.sort((a, b) => a.time - b.time || a.seq - b.seq);
  const page = timed.slice(0, request.limit);
  const items = page.map(({ kind, entry }): RecordView => {
    if (kind === 'labs') return { kind: 'lab', ...gradedLab(state, chart, entry as LabView) };
    return { kind: KIND_OF[kind], ...entry } as RecordView;
  });
  const last = page[page.length - 1];
  return { items, limit: request.limit, nextCursor: timed.length > request.limit && last ? encodeRecordCursor({ time: last.time, seq: last.seq }) : null };
}

function isAfter(time: number, seq: number, cursor: RecordCursor): boolean {
  return time > cursor.time || (time === cursor.time && seq > cursor.seq);
}
