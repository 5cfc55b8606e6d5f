import { join } from 'node:path';
import { TRANSREG } from '@vigil/domain';
import { projectorConfigFromEnv, protocolFromEnv } from './projector.config';

describe('projectorConfigFromEnv', () => {
  it('keeps the read models in the data directory and escalates after 24 hours by default (docs/safety-rules.md §7)', () => {
    expect(projectorConfigFromEnv({ VIGIL_DATA_DIR: '/var/vigil' })).toEqual({
      readModelsFile: join('/var/vigil', 'projections.sqlite'),
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
