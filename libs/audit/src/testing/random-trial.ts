import fc from 'fast-check';
import type { StoredEvent } from '@vigil/event-store';
import type { PointInTime } from '../replay/point-in-time';
import { enrolled, labCorrection, labResultData, labVoid, storedStream, type EventSpec } from './stored-events';

/**
 * Random patient streams for property tests of replays: results of three tests recorded in order with
 * clinical times in any order (some late), doses, corrections and voids of earlier results, and alert
 * streams on some results (acknowledged, retracted by a correction, or raised elsewhere); and random
 * points in time on the grid the events lie on.
 */
const DAY = 86_400_000;
const START = Date.parse('2026-01-05T09:00:00.000Z');
export const at = (days: number) => new Date(START + days * DAY).toISOString();
export const PATIENT = 'TR-SAT-001';

export type Step =
  | { op: 'lab'; test: 'PLAT' | 'ALT' | 'CREAT'; value: number; collected: number; late: number }
  | { op: 'dose'; given: number }
  | { op: 'correct'; pick: number; value: number }
  | { op: 'void'; pick: number }
  | { op: 'alert'; pick: number; acknowledged: boolean; retracted: boolean; foreign: boolean };

export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('lab' as const),
      test: fc.constantFrom('PLAT' as const, 'ALT' as const, 'CREAT' as const),
      value: fc.constantFrom(30, 70, 79.9, 80, 150, 250, 400),
      collected: fc.integer({ min: 0, max: 20 }),
      late: fc.constantFrom(0, 0, 0, 3),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('dose' as const), given: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('correct' as const), pick: fc.nat(), value: fc.constantFrom(60, 90, 300) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('void' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('alert' as const), pick: fc.nat(), acknowledged: fc.boolean(), retracted: fc.boolean(), foreign: fc.boolean() }),
  },
);

const labData = (test: string, value: number, collectedAt: string) => {
  const range = test === 'PLAT' ? { low: 150, high: 400 } : test === 'ALT' ? { high: 40 } : { low: 45, high: 90 };
  const unit = test === 'PLAT' ? '10*9/L' : test === 'ALT' ? 'U/L' : 'umol/L';
  return labResultData(PATIENT, test, value, unit, range, collectedAt);
};

/** A patient stream (recorded in order, clinical times in any order) and alert streams on some of its results. */
export function trial(steps: readonly Step[]): { stream: StoredEvent[]; alertEvents: StoredEvent[] } {
  const specs: EventSpec[] = [{ ...enrolled(PATIENT, at(0)), recordedAt: at(0) }];
  const labs: { eventId: string; data: ReturnType<typeof labData> }[] = [];
  const corrections: string[] = [];
  const alerts: EventSpec[][] = [];
  steps.forEach((s, i) => {
    const recordedAt = at(i / 2 + 0.25);
    const eventId = `ev-${i}`;
    if (s.op === 'lab') {
      const data = labData(s.test, s.value, at(s.collected / 2 - s.late));
      labs.push({ eventId, data });
      specs.push({ type: 'LabResultRecorded', eventId, data, recordedAt });
    } else if (s.op === 'dose') {
      specs.push({
        type: 'DoseAdministered',
        eventId,
        data: { patientId: PATIENT, dose: 1, unit: 'MIU', route: 'SC', administeredAt: at(s.given / 2) },
        recordedAt,
      });
    } else if (s.op === 'correct' || s.op === 'void') {
      if (labs.length === 0) return;
      const target = labs[s.pick % labs.length];
      if (s.op === 'void') {
        specs.push(labVoid(target, 'wrong patient', recordedAt, eventId));
      } else {
        specs.push(labCorrection(target, labData(target.data.test, s.value, target.data.collectedAt), 'typo', recordedAt, eventId));
        corrections.push(eventId);
      }
    } else {
      const triggeredBy = s.foreign || labs.length === 0 ? `elsewhere-${i}` : labs[s.pick % labs.length].eventId;
      const raisedAt = at(i / 2 + 0.3);
      const alertId = `A-${i}`;
      const events: EventSpec[] = [
        {
          type: 'AlertRaised',
          data: {
            alertId,
            ruleId: 'TR-PLT',
            patientId: PATIENT,
            siteId: 'SAT',
            triggeredBy,
            value: 70,
            unit: '10*9/L',
            normalisedValue: 70,
            normalisedUnit: '10*9/L',
            threshold: 80,
            thresholdUnit: '10*9/L',
            grade: 2,
            severity: 'warning',
            message: 'Platelets 70',
            raisedAt,
          },
          occurredAt: raisedAt,
          recordedAt: raisedAt,
        },
      ];
      if (s.acknowledged)
        events.push({
          type: 'AlertAcknowledged',
          data: { alertId, by: { userId: 'u-so', role: 'safety_officer' }, acknowledgedAt: at(i / 2 + 1) },
          occurredAt: at(i / 2 + 1),
          recordedAt: at(i / 2 + 1),
        });
      const correction = corrections[s.pick % Math.max(1, corrections.length)];
      if (s.retracted && correction)
        events.push({
          type: 'AlertRetracted',
          data: { alertId, correctionEventId: correction, reason: 'corrected', retractedAt: at(i / 2 + 2) },
          occurredAt: at(i / 2 + 2),
          recordedAt: at(i / 2 + 2),
        });
      alerts.push(events);
    }
  });
  return { stream: storedStream(`patient-${PATIENT}`, specs), alertEvents: alerts.flatMap((events, n) => storedStream(`alert-A-${n}`, events)) };
}

// On the grid the events lie on, so that bounds fall exactly on event times too.
const instant = fc.integer({ min: -8, max: 60 }).map((quarter) => at(quarter / 4));
export const pointInTime = (versions: number): fc.Arbitrary<PointInTime> =>
  fc
    .record(
      {
        asOf: fc.option(instant, { nil: undefined }),
        asKnownAt: fc.option(instant, { nil: undefined }),
        atVersion: fc.option(fc.integer({ min: 1, max: versions }), { nil: undefined }),
      },
      { requiredKeys: [] },
    )
    .map((pit) => Object.fromEntries(Object.entries(pit).filter(([, v]) => v !== undefined)) as PointInTime);
