import { AlertNotFoundError, alertIdFor, alertStream, RuleViolationError, type AlertRaisedData } from '@vigil/domain';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import { AlertStreams, SAFETY_RULES_ACTOR } from './alert-streams';

const triggeredBy = '4b1e6a0c-9d7e-4f2a-8c3b-1a2b3c4d5e6f';
const alertId = alertIdFor(triggeredBy, 'TR-PLT');
const raised: AlertRaisedData = {
  alertId,
  ruleId: 'TR-PLT',
  patientId: 'P-001',
  siteId: 'PSL',
  triggeredBy,
  value: 79,
  unit: '10*9/L',
  normalisedValue: 79,
  normalisedUnit: '10*9/L',
  threshold: 80,
  thresholdUnit: '10*9/L',
  grade: 1,
  severity: 'warning',
  message: 'Platelets 79 below 80 (TR-PLT)',
  raisedAt: '2026-03-02T08:05:00.000Z',
};
const metadata = { ...SAFETY_RULES_ACTOR, siteId: 'PSL', occurredAt: '2026-03-02T08:00:00.000Z', correlationId: 'corr-lab', causationId: triggeredBy };
const officer = { userId: 'so-1', role: 'safety_officer', occurredAt: '2026-03-02T09:00:00.000Z', causationId: null };

describe('AlertStreams', () => {
  let store: EventStore;
  let alerts: AlertStreams;
  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    alerts = new AlertStreams(store);
  });
  afterEach(() => store.close());

  const types = async () => (await store.readStream(alertStream(alertId))).map((e) => e.type);

  const raise = (alert = raised) => alerts.decide({ type: 'RaiseAlert', alert }, metadata);

  it('raises an alert once: a second raise of the same alert appends nothing', async () => {
    expect((await raise()).events).toHaveLength(1);
    expect((await raise({ ...raised, raisedAt: '2026-03-02T10:00:00.000Z' })).events).toEqual([]);
    expect(await types()).toEqual(['AlertRaised']);
  });

  it('records one acknowledgement however often it is asked, carrying the raise correlation id by default', async () => {
    await raise();
    const acknowledge = {
      type: 'AcknowledgeAlert' as const,
      alertId,
      by: { userId: 'so-1', role: 'safety_officer' },
      acknowledgedAt: '2026-03-02T09:00:00.000Z',
    };
    const first = await alerts.decide(acknowledge, officer);
    const second = await alerts.decide({ ...acknowledge, acknowledgedAt: '2026-03-02T09:30:00.000Z' }, officer);
    expect(first.events.map((e) => e.metadata.correlationId)).toEqual(['corr-lab']);
    expect(second.events).toEqual([]);
    expect(second.state.status).toBe('acknowledged');
    expect(await types()).toEqual(['AlertRaised', 'AlertAcknowledged']);
  });

  it('refuses to act on an alert never raised', async () => {
    await expect(alerts.decide({ type: 'EscalateAlert', alertId, escalatedAt: '2026-03-03T09:00:00.000Z', reason: 'overdue' }, officer)).rejects.toBeInstanceOf(
      AlertNotFoundError,
    );
  });

  it('retracts once, for a correction, and passes over a retraction of an alert missing from the log', async () => {
    await raise();
    const retract = {
      type: 'RetractAlert' as const,
      alertId,
      correctionEventId: 'c-1',
      reason: 'transcription error',
      retractedAt: '2026-03-02T10:00:00.000Z',
    };
    const cause = { ...metadata, causationId: 'c-1' };
    await alerts.carryOut(retract, cause);
    await alerts.carryOut(retract, cause);
    expect(await types()).toEqual(['AlertRaised', 'AlertRetracted']);
    await expect(alerts.carryOut({ ...retract, alertId: alertIdFor('unknown', 'TR-PLT') }, cause)).resolves.toEqual([]);
  });

  it('refuses an Idempotency-Key already used for a request on another stream', async () => {
    await store.append('patient-P-001', [{ type: 'Noted', schemaVersion: 1, data: {}, metadata: { ...officer, correlationId: 'x' } }], {
      expectedVersion: 'any',
      commandId: 'key-12345678',
    });
    await raise();
    const acknowledge = {
      type: 'AcknowledgeAlert' as const,
      alertId,
      by: { userId: 'so-1', role: 'safety_officer' },
      acknowledgedAt: '2026-03-02T09:00:00.000Z',
    };
    await expect(alerts.decide(acknowledge, officer, { commandId: 'key-12345678' })).rejects.toBeInstanceOf(RuleViolationError);
    expect(await types()).toEqual(['AlertRaised']);
  });
});
