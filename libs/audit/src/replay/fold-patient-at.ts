import {
  initialPatientState,
  instantMs,
  isPatientEventType,
  PatientChart,
  labSummaries,
  PatientFold,
  toPatientEvent,
  type LabSummary,
  ValidationError,
  type PatientState,
  type StoredPatientEvent,
} from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { type AlertView, alertViewOf } from './alert-view';
import type { PointInTime } from './point-in-time';

/**
 * A fold of a patient's stream from its first event up to `version`, every one of those events within
 * the bounds of the point in time it was folded for. It serves any point in time that leaves none of
 * them out (its latest clinical and recording times within the bounds, its version within `atVersion`),
 * and only while the stream's event at `version` still has `hash`: the hash chain covers every event
 * before it. Its state is never changed: a fold that goes on from it copies it.
 */
export interface PatientFoldSnapshot {
  version: number;
  hash: string;
  state: PatientState;
  /** Events of the prefix folded into the state (not every one need be: see `left`). */
  eventsFolded: number;
  /** Stream version of the last event folded (0: none). */
  lastFolded: number;
  /** Latest clinical time (`occurredAt`) and recording time among the prefix's events, ms (−∞: none). */
  latestOccurredMs: number;
  latestRecordedMs: number;
  /** Events of the prefix left out whatever the point in time: not patient events, or corrections of nothing. */
  left: string[];
  /** Derived from its state the first time a replay needs them, and kept with it in memory (never stored). */
  derived?: FoldDerived;
}

/** What replays read of a fold that does not depend on the moment it is reckoned at. */
export interface FoldDerived {
  chart?: PatientChart;
  labs?: LabSummary[];
  census?: RecordCensus;
  /** The alerts' causes found in the snapshot's prefix (by the causes looked for, sorted and joined), each with whether it was folded. */
  causes?: { key: string; folded: ReadonlyMap<string, boolean> };
}

/** How many records of each kind the state holds, voided ones included. */
export interface RecordCensus {
  labs: number;
  doses: number;
  dosesVoided: number;
  adverseEvents: number;
}

/** A patient folded at a point in time, with their alerts then. */
export interface PatientAt {
  patientId: string;
  pointInTime: PointInTime;
  state: PatientState;
  /** Highest stream version folded (0: nothing yet). */
  version: number;
  eventsFolded: number;
  /** The stream's current version. */
  streamVersion: number;
  alerts: AlertView[];
  /** With `atVersion`: when the event at that version was recorded, ms (∞ otherwise). */
  knownUntilMs: number;
  /** A snapshot of this fold taken on the way (at the last multiple of `every`), when the point in time allowed it. */
  taken?: PatientFoldSnapshot;
  /**
   * A fold of the whole stream as it is now (every event within the bounds), for the holder of snapshots to
   * keep in memory: the next replay of an unchanged stream folds nothing.
   */
  head?: PatientFoldSnapshot;
  /** The ordered views the safety rules read the state through: the snapshot's chart moved on by the events after it. */
  chart(): PatientChart;
  /** Per lab test the latest result, graded and flagged (labSummaries of the domain), kept with the snapshot when nothing follows it. */
  labSummaries(): LabSummary[];
  census(): RecordCensus;
}

export interface FoldOptions {
  /** Go on from this snapshot when it holds for the stream and the point in time; else fold from the start. */
  from?: PatientFoldSnapshot;
  /** Take a snapshot at the last multiple of this many events, when it is past `from` (0 or absent: none). */
  every?: number;
}

/** Events that create a record a later correction or void names by its event id. */
const RECORDING_TYPES = new Set(['LabResultRecorded', 'DoseAdministered', 'AdverseEventReported']);

const ms = (timestamp: unknown): number => (typeof timestamp === 'string' ? instantMs(timestamp) : Number.NaN);
const own = (records: object, id: string): boolean => Object.prototype.hasOwnProperty.call(records, id);

/**
 * Folds a patient's stream, and the events of their alerts, up to a point in time. Pure: the caller reads
 * the streams. An event stands when its version, clinical and recording times are within the bounds;
 * a correction or void whose record lies beyond the point in time is left out with it (its record was
 * not there then). With a snapshot that holds, only the events after it are read.
 */
export function foldPatientAt(
  patientId: string,
  stream: readonly StoredEvent[],
  alertEvents: readonly StoredEvent[],
  pit: PointInTime,
  options: FoldOptions = {},
): PatientAt {
  const streamVersion = stream.length === 0 ? 0 : stream[stream.length - 1].streamVersion;
  if (pit.atVersion !== undefined && pit.atVersion > streamVersion) {
    throw new ValidationError('atVersion', `patient ${patientId} has ${streamVersion} events: version ${pit.atVersion} does not exist yet`);
  }
  const asOf = pit.asOf === undefined ? Infinity : ms(pit.asOf);
  const asKnownAt = pit.asKnownAt === undefined ? Infinity : ms(pit.asKnownAt);
  const atVersion = pit.atVersion ?? Infinity;
  const base = options.from && holds(options.from, stream, atVersion, asOf, asKnownAt) ? options.from : undefined;
  const start = base?.version ?? 0;
  const every = options.every ?? 0;
  // The last multiple of `every` past the snapshot: where a new one is taken, if every event up to it stands.
  const takeAt = every > 0 ? Math.floor(Math.min(streamVersion, atVersion) / every) * every : 0;

  const causes = alertCauses(alertEvents);
  const causesFolded = new Map<string, boolean>(base && causes.size > 0 ? causesWithin(base, stream, causes) : []);

  let fold: PatientFold | undefined;
  const records = new Set<string>();
  const hasRecord = (id: string): boolean =>
    records.has(id) || (base !== undefined && (own(base.state.labs, id) || own(base.state.doses, id) || own(base.state.adverseEvents, id)));
  let eventsFolded = base?.eventsFolded ?? 0;
  let lastFolded = base?.lastFolded ?? 0;
  // Whether every event so far is within the bounds: only then can the fold so far be a snapshot.
  let coversAll = true;
  let latestOccurredMs = base?.latestOccurredMs ?? -Infinity;
  let latestRecordedMs = base?.latestRecordedMs ?? -Infinity;
  const left: string[] = base ? [...base.left] : [];
  let taken: PatientFoldSnapshot | undefined;
  const tail: StoredPatientEvent[] = [];
  const snapshotHere = (event: StoredEvent, state: PatientState): PatientFoldSnapshot => ({
    version: event.streamVersion,
    hash: event.hash,
    state,
    eventsFolded,
    lastFolded,
    latestOccurredMs,
    latestRecordedMs,
    left: [...left],
  });

  for (let i = start; i < stream.length; i++) {
    const event = stream[i];
    if (event.streamVersion > atVersion) {
      coversAll = false;
      if (causes.has(event.eventId)) causesFolded.set(event.eventId, false);
      continue;
    }
    // Times are read only against the bounds given, or while the fold may still be a snapshot.
    let inBounds = true;
    if (coversAll || asKnownAt !== Infinity || asOf !== Infinity) {
      const recorded = ms(event.metadata.recordedAt);
      const occurred = ms(event.metadata.occurredAt);
      inBounds = !(recorded > asKnownAt) && !(occurred > asOf);
      if (coversAll) {
        if (!inBounds) coversAll = false;
        if (recorded > latestRecordedMs) latestRecordedMs = recorded;
        if (occurred > latestOccurredMs) latestOccurredMs = occurred;
      }
    }
    let stands = false;
    if (inBounds) {
      const target = (event.data as { originalEventId?: unknown }).originalEventId;
      stands = isPatientEventType(event.type) && (typeof target !== 'string' || hasRecord(target));
      if (!stands && coversAll) left.push(event.eventId);
    }
    if (stands) {
      if (RECORDING_TYPES.has(event.type)) records.add(event.eventId);
      const applied = toPatientEvent(event);
      (fold ??= new PatientFold(base?.state)).apply(applied);
      if (base) tail.push(applied);
      eventsFolded++;
      lastFolded = event.streamVersion;
    }
    if (causes.has(event.eventId)) causesFolded.set(event.eventId, stands);
    if (coversAll && event.streamVersion === takeAt && takeAt > start) {
      taken = snapshotHere(event, fold ? fold.snapshot() : (base?.state ?? initialPatientState));
    }
  }

  const state = fold ? fold.state : (base?.state ?? initialPatientState);
  const knownUntilMs = pit.atVersion === undefined ? Infinity : ms(stream[pit.atVersion - 1].metadata.recordedAt);
  const alerts = alertsAt(alertEvents, { causesFolded, asOf, asKnownAt, knownUntil: knownUntilMs });
  // The fold's own state becomes the head snapshot: nothing changes it once this function returns.
  const last = stream[stream.length - 1];
  const head =
    coversAll && last !== undefined && last.streamVersion > start ? (taken?.version === last.streamVersion ? taken : snapshotHere(last, state)) : undefined;
  return {
    patientId,
    pointInTime: pit,
    state,
    version: lastFolded,
    eventsFolded,
    streamVersion,
    alerts,
    knownUntilMs,
    ...(taken ? { taken } : {}),
    ...(head ? { head } : {}),
    chart: () => chartOf(state, base, tail, head),
    labSummaries: () => {
      const keep = keeper(base, tail, head);
      if (keep?.derived?.labs) return keep.derived.labs;
      const labs = labSummaries(state, chartOf(state, base, tail, head));
      if (keep) (keep.derived ??= {}).labs = labs;
      return labs;
    },
    census: () => {
      const keep = keeper(base, tail, head);
      if (keep?.derived?.census) return keep.derived.census;
      const census = censusOf(state);
      if (keep) (keep.derived ??= {}).census = census;
      return census;
    },
  };
}

/**
 * Which of the alerts' causes lie in the snapshot's prefix, and whether each was folded (not left out).
 * Found by reading the prefix once for a set of causes, then kept with the snapshot: a replay of a long
 * stream whose alerts did not change reads none of the events the snapshot covers.
 */
function causesWithin(base: PatientFoldSnapshot, stream: readonly StoredEvent[], causes: ReadonlySet<string>): ReadonlyMap<string, boolean> {
  const key = [...causes].sort().join('\n');
  const kept = base.derived?.causes;
  if (kept?.key === key) return kept.folded;
  const left = new Set(base.left);
  const folded = new Map<string, boolean>();
  for (let i = 0; i < base.version; i++) {
    const id = stream[i].eventId;
    if (causes.has(id)) folded.set(id, !left.has(id));
  }
  (base.derived ??= {}).causes = { key, folded };
  return folded;
}

/** The snapshot whose state is the folded state, to keep what is derived from it: the one gone on from when nothing followed it, else the new head. */
function keeper(
  base: PatientFoldSnapshot | undefined,
  tail: readonly StoredPatientEvent[],
  head: PatientFoldSnapshot | undefined,
): PatientFoldSnapshot | undefined {
  return base && tail.length === 0 ? base : head;
}

function censusOf(state: PatientState): RecordCensus {
  let doses = 0;
  let dosesVoided = 0;
  for (const id in state.doses) {
    doses++;
    if (state.doses[id].voided) dosesVoided++;
  }
  return { labs: Object.keys(state.labs).length, doses, dosesVoided, adverseEvents: Object.keys(state.adverseEvents).length };
}

/** A chart of the folded state: kept with the snapshot whose state it is; else the snapshot's copied and moved on by the tail. */
function chartOf(
  state: PatientState,
  base: PatientFoldSnapshot | undefined,
  tail: readonly StoredPatientEvent[],
  head: PatientFoldSnapshot | undefined,
): PatientChart {
  const keep = keeper(base, tail, head);
  if (keep?.derived?.chart) return keep.derived.chart;
  let chart: PatientChart;
  if (base && tail.length > 0) {
    const derived = (base.derived ??= {});
    derived.chart ??= PatientChart.of(base.state);
    chart = derived.chart.copy(state);
    for (const applied of tail) chart.observe(state, applied);
  } else chart = PatientChart.of(state);
  if (keep) (keep.derived ??= {}).chart = chart;
  return chart;
}

/** Whether a snapshot serves this stream at this point in time: the stream still has its hash, the bounds leave none of its events out. */
function holds(snapshot: PatientFoldSnapshot, stream: readonly StoredEvent[], atVersion: number, asOf: number, asKnownAt: number): boolean {
  const at = stream[snapshot.version - 1];
  return (
    at !== undefined &&
    at.streamVersion === snapshot.version &&
    at.hash === snapshot.hash &&
    snapshot.version <= atVersion &&
    snapshot.latestOccurredMs <= asOf &&
    snapshot.latestRecordedMs <= asKnownAt
  );
}

interface AlertWindow {
  /** The patient events alert events follow from, by whether they were folded into the replayed state. */
  causesFolded: ReadonlyMap<string, boolean>;
  asOf: number;
  asKnownAt: number;
  /** With atVersion: when the event at that version was recorded. */
  knownUntil: number;
}

/**
 * The patient's alerts at the point in time. An alert stands when the event that raised it is in the
 * replayed state; its retraction when the correction behind it is; acknowledgements and escalations by
 * their own clinical and recording times. With `asKnownAt`, nothing recorded later counts.
 */
function alertsAt(alertEvents: readonly StoredEvent[], window: AlertWindow): AlertView[] {
  const byStream = new Map<string, StoredEvent[]>();
  for (const event of alertEvents) {
    if (!inWindow(event, window)) continue;
    const events = byStream.get(event.streamId) ?? [];
    events.push(event);
    byStream.set(event.streamId, events);
  }
  const views: AlertView[] = [];
  for (const events of byStream.values()) {
    events.sort((a, b) => a.streamVersion - b.streamVersion);
    const view = alertViewOf(events);
    if (view) views.push(view);
  }
  return views.sort((a, b) => ms(a.raisedAt) - ms(b.raisedAt) || a.alertId.localeCompare(b.alertId));
}

function inWindow(event: StoredEvent, window: AlertWindow): boolean {
  if (ms(event.metadata.recordedAt) > window.asKnownAt) return false;
  const cause = causeOf(event);
  const folded = cause === undefined ? undefined : window.causesFolded.get(cause);
  if (folded !== undefined) return folded;
  return ms(event.metadata.occurredAt) <= window.asOf && ms(event.metadata.recordedAt) <= window.knownUntil;
}

/** The events alert events follow from (any stream's: those of the patient's stream are found as it is read). */
function alertCauses(alertEvents: readonly StoredEvent[]): Set<string> {
  const causes = new Set<string>();
  for (const event of alertEvents) {
    const cause = causeOf(event);
    if (cause !== undefined) causes.add(cause);
  }
  return causes;
}

/** The patient event an alert event follows from: the result that raised it, the correction that retracted it. */
function causeOf(event: StoredEvent): string | undefined {
  const data = event.data as { triggeredBy?: unknown; correctionEventId?: unknown };
  if (event.type === 'AlertRaised' && typeof data.triggeredBy === 'string') return data.triggeredBy;
  if (event.type === 'AlertRetracted' && typeof data.correctionEventId === 'string') return data.correctionEventId;
  return undefined;
}
