import { join } from 'node:path';
import { TRANSREG } from '@vigil/domain';
import { projectorConfigFromEnv, protocolFromEnv } from './projector.config';

describe('projectorConfigFromEnv', () => {
  it('keeps the read models in the data directory and escalates after 24 hours by default (docs/safety-rules.md §7)', () => {
    expect(projectorConfigFromEnv({ VIGIL_DATA_DIR: '/var/vigil' })).toEqual({
      readModelsFile: join('/var/vigil', 'projections.sqlite'),
      readModels: { kind: 'sqlite', sqliteFile: join('/var/vigil', 'projections.sqlite') },
      lease: { ttlMs: 3000, heartbeatMs: 1000 },
      escalateAfterMs: 24 * 3_600_000,
      escalationCheckMs: 60_000,
      saeRemindBeforeMs: 6 * 3_600_000,
      scheduleCheckMs: 30_000,
      hyLawWindowDays: 7,
      batchSize: 2000,
      protocol: TRANSREG,
    });
  });

  it('takes the escalation delay from VIGIL_ALERT_ESCALATE_AFTER_MS and refuses a malformed one', () => {
    expect(projectorConfigFromEnv({ VIGIL_ALERT_ESCALATE_AFTER_MS: '3600000' }).escalateAfterMs).toBe(3_600_000);
    expect(() => projectorConfigFromEnv({ VIGIL_ALERT_ESCALATE_AFTER_MS: '1 day' })).toThrow(/VIGIL_ALERT_ESCALATE_AFTER_MS must be a whole number/);
  });

  it('keeps the read models in PostgreSQL when the events are there, in a schema of their own, unless told otherwise', () => {
    const postgres = { VIGIL_EVENT_STORE: 'postgres', VIGIL_POSTGRES_URL: 'postgres://db/vigil', VIGIL_POSTGRES_SCHEMA: 'trial7' };
    expect(projectorConfigFromEnv(postgres).readModels).toEqual({ kind: 'postgres', postgresUrl: 'postgres://db/vigil', postgresSchema: 'trial7_read' });
    expect(projectorConfigFromEnv({ ...postgres, VIGIL_READ_MODELS: 'sqlite', VIGIL_DATA_DIR: '/var/vigil' }).readModels).toEqual({
      kind: 'sqlite',
      sqliteFile: join('/var/vigil', 'projections.sqlite'),
    });
    expect(() => projectorConfigFromEnv({ VIGIL_READ_MODELS: 'mysql' })).toThrow(/VIGIL_READ_MODELS=mysql is not one of sqlite, postgres/);
    expect(() => projectorConfigFromEnv({ VIGIL_READ_MODELS: 'postgres' })).toThrow(/needs VIGIL_READ_MODELS_URL or VIGIL_POSTGRES_URL/);
  });

  it('takes the lease time from VIGIL_LEASE_TTL_MS, and refuses a heartbeat too slow to keep it', () => {
    expect(projectorConfigFromEnv({ VIGIL_LEASE_TTL_MS: '10000' }).lease).toEqual({ ttlMs: 10_000, heartbeatMs: 1000 });
    expect(projectorConfigFromEnv({ VIGIL_LEASE_TTL_MS: '1500' }).lease).toEqual({ ttlMs: 1500, heartbeatMs: 500 });
    expect(() => projectorConfigFromEnv({ VIGIL_LEASE_TTL_MS: '3000', VIGIL_LEASE_HEARTBEAT_MS: '2000' })).toThrow(/must be at most half/);
    expect(() => projectorConfigFromEnv({ VIGIL_LEASE_TTL_MS: 'soon' })).toThrow(/VIGIL_LEASE_TTL_MS must be a whole number/);
  });
});

describe('protocolFromEnv', () => {
  it('keeps TRANSREG with its ±2-day maintenance window by default', () => {
    expect(protocolFromEnv({})).toBe(TRANSREG);
  });

  it('sets the maintenance window from VIGIL_DOSE_WINDOW_DAYS', () => {
    expect(protocolFromEnv({ VIGIL_DOSE_WINDOW_DAYS: '5' })).toEqual({ ...TRANSREG, maintenanceWindowDays: 5 });
  });

  it('refuses a window that is not a whole number of days, naming the variable', () => {
    expect(() => protocolFromEnv({ VIGIL_DOSE_WINDOW_DAYS: 'two' })).toThrow(/VIGIL_DOSE_WINDOW_DAYS/);
  });
});
