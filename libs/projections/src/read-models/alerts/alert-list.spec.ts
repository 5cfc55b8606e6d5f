import { ValidationError, type AlertRaisedData } from '@vigil/domain';
import type { StoredEvent } from '@vigil/event-store';
import { buildTable, ReadModelDatabase } from '../../engine/read-model-database';
import type { ProjectionTransaction } from '../../engine/projection';
import type { ReadModelSql } from '../../store/read-model-store';
import { AlertList } from './alert-list';
import { AlertListProjection } from './alert-list.projection';

let position = 0;
function stored(type: string, data: Record<string, unknown>): StoredEvent {
  position++;
  return {
    eventId: `ev-${position}`,
    streamId: `alert-${data.alertId as string}`,
    streamVersion: 1,
    globalPosition: position,
    type,
    schemaVersion: 1,
    data,
    metadata: {
      userId: 'vigil:safety-rules',
      role: 'system',
      occurredAt: '2026-03-01T08:00:00.000Z',
      recordedAt: '2026-03-01T08:05:00.000Z',
      correlationId: 'c',
      commandId: 'k',
    },
    hash: '',
    previousHash: null,
  };
}

const raised = (alertId: string, over: Partial<AlertRaisedData> = {}) =>
  stored('AlertRaised', {
    alertId,
    ruleId: 'TR-PLT',
    patientId: 'P-001',
    siteId: 'PSL',
    triggeredBy: `lab-${alertId}`,
    value: 79,
    unit: '10*9/L',
    normalisedValue: 79,
    normalisedUnit: '10*9/L',
    threshold: 80,
    thresholdUnit: '10*9/L',
    grade: 1,
    severity: 'warning',
    message: 'm',
    raisedAt: '2026-03-01T08:05:00.000Z',
    ...over,
  });

describe('AlertList', () => {
  let db: ReadModelDatabase;
  let list: AlertList;
  const projection = new AlertListProjection();
  let build: number;
  const txOn = (sql: ReadModelSql): ProjectionTransaction => ({ ...sql, table: (t) => buildTable(projection.name, projection.version, build, t) });
  const apply = (...events: StoredEvent[]) => db.transaction((sql) => projection.apply(events, txOn(sql)));

  beforeEach(async () => {
    db = new ReadModelDatabase({ file: ':memory:' });
    list = new AlertList(db);
    await db.transaction(async (sql) => {
      build = (await db.createBuild(sql, projection.name, projection.version)).build;
      await projection.install(txOn(sql));
    });
  });
  afterEach(() => db.close());

  it('lists newest first and pages with an opaque cursor', async () => {
    await apply(...['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => raised(id)));
    const first = await list.find({ limit: 2 });
    expect(first.items.map((a) => a.alertId)).toEqual(['a5', 'a4']);
    const second = await list.find({ limit: 2, cursor: first.nextCursor });
    expect(second.items.map((a) => a.alertId)).toEqual(['a3', 'a2']);
    const last = await list.find({ limit: 2, cursor: second.nextCursor });
    expect(last).toEqual({ items: [expect.objectContaining({ alertId: 'a1' })] });
  });

  it('filters by status, patient, site, rule and the sites a user may see', async () => {
    await apply(raised('a1'), raised('a2', { patientId: 'P-002', siteId: 'SAT', ruleId: 'TR-ALT' }), raised('a3'));
    await apply(
      stored('AlertAcknowledged', {
        alertId: 'a1',
        by: { userId: 'so-1', name: 'Dr Safety', role: 'safety_officer' },
        note: 'seen',
        acknowledgedAt: '2026-03-01T09:00:00.000Z',
      }),
    );
    await apply(stored('AlertRetracted', { alertId: 'a3', correctionEventId: 'corr-9', reason: 'typo', retractedAt: '2026-03-01T10:00:00.000Z' }));
    await apply(stored('AlertEscalated', { alertId: 'a2', escalatedAt: '2026-03-02T09:00:00.000Z', afterMs: 86_400_000, reason: 'overdue' }));

    expect((await list.find({ status: 'acknowledged' })).items).toEqual([
      expect.objectContaining({
        alertId: 'a1',
        acknowledgedBy: 'so-1',
        acknowledgedByName: 'Dr Safety',
        acknowledgementNote: 'seen',
        acknowledgedAt: '2026-03-01T09:00:00.000Z',
      }),
    ]);
    expect((await list.find({ status: 'retracted' })).items).toEqual([
      expect.objectContaining({ alertId: 'a3', retractedBy: 'corr-9', retractionReason: 'typo' }),
    ]);
    expect((await list.find({ status: 'open' })).items).toEqual([
      expect.objectContaining({ alertId: 'a2', escalated: true, escalatedAt: '2026-03-02T09:00:00.000Z' }),
    ]);
    expect((await list.find({ patientId: 'P-002' })).items.map((a) => a.alertId)).toEqual(['a2']);
    expect((await list.find({ siteId: 'PSL', ruleId: 'TR-PLT' })).items.map((a) => a.alertId)).toEqual(['a3', 'a1']);
    expect((await list.find({ sites: ['SAT'] })).items.map((a) => a.alertId)).toEqual(['a2']);
    expect((await list.find({ sites: [] })).items).toEqual([]);
  });

  it('shows an update: the new value, grade and severity, the change it came from, and an acknowledged alert whose severity rose open again', async () => {
    await apply(raised('a1', { value: 0.55, normalisedValue: 0.55, ruleId: 'TR-LYM', grade: 2, severity: 'warning' }));
    await apply(stored('AlertAcknowledged', { alertId: 'a1', by: { userId: 'so-1', role: 'safety_officer' }, acknowledgedAt: '2026-03-01T09:00:00.000Z' }));
    const previous = { value: 0.55, unit: '10*9/L', normalisedValue: 0.55, normalisedUnit: '10*9/L', grade: 2, severity: 'warning', message: 'm' };
    const current = { ...previous, value: 0.15, normalisedValue: 0.15, grade: 4, severity: 'critical', message: 'Lymphocytes 0.15' };
    await apply(
      stored('AlertUpdated', {
        alertId: 'a1',
        patientId: 'P-001',
        ruleId: 'TR-LYM',
        previous,
        current,
        correctionEventId: 'corr-1',
        reason: 'transcription error',
        updatedAt: '2026-03-01T10:00:00.000Z',
      }),
    );
    expect(await list.get('a1')).toMatchObject({
      status: 'open',
      value: 0.15,
      grade: 4,
      severity: 'critical',
      message: 'Lymphocytes 0.15',
      openSince: '2026-03-01T10:00:00.000Z',
      updates: [
        {
          correctionEventId: 'corr-1',
          reason: 'transcription error',
          previous: { value: 0.55, grade: 2, severity: 'warning' },
          current: { value: 0.15, grade: 4 },
        },
      ],
    });
    expect((await list.find({ severity: 'critical' })).items.map((a) => a.alertId)).toEqual(['a1']);
  });

  it('closes an alert when its report is recorded, saying when and whether late', async () => {
    await apply(raised('a1', { ruleId: 'SAE-24H', deadline: '2026-03-02T08:00:00.000Z' }));
    await apply(
      stored('AlertClosed', { alertId: 'a1', closedAt: '2026-03-02T09:00:01.000Z', reportedAt: '2026-03-02T09:00:00.000Z', late: true, byEventId: 'r-1' }),
    );
    expect((await list.find({ status: 'closed' })).items).toEqual([
      expect.objectContaining({ alertId: 'a1', status: 'closed', reportedAt: '2026-03-02T09:00:00.000Z', late: true, closedAt: '2026-03-02T09:00:01.000Z' }),
    ]);
    expect(await list.escalationCandidates()).toEqual([]);
  });

  it('refuses a cursor it did not make, and a limit out of range, naming the field', () => {
    const refusal = (filter: Parameters<AlertList['find']>[0]) => {
      try {
        void list.find(filter);
      } catch (error) {
        return error;
      }
      throw new Error('accepted');
    };
    expect(refusal({ cursor: 'not-a-cursor' })).toMatchObject({ constructor: ValidationError, field: 'cursor' });
    expect(refusal({ cursor: Buffer.from('p12; DROP TABLE').toString('base64url') })).toMatchObject({ field: 'cursor' });
    expect(refusal({ limit: 0 })).toMatchObject({ field: 'limit' });
    expect(refusal({ limit: 501 })).toMatchObject({ field: 'limit' });
  });
});
