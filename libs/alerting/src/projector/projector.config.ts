import { join } from 'node:path';
import { HY_LAW, SAE_REMIND_BEFORE_MS, TRANSREG, type TrialProtocol } from '@vigil/domain';
import { LeaseTiming, leaseTimingFromEnv, ReadModelStoreConfig, readModelStoreConfigFromEnv } from '@vigil/projections';

/** The projector's configuration, read once from the environment and validated with clear messages. */
export interface ProjectorConfig {
  /** Read models' SQLite file (`<VIGIL_DATA_DIR>/projections.sqlite`), or `:memory:`: where they are when `readModels` is SQLite. */
  readModelsFile: string;
  /** Where the read models and the reactor's state live (VIGIL_READ_MODELS=sqlite|postgres, default: the event store's kind). */
  readModels: ReadModelStoreConfig;
  /** The leases of the projections and the alerting reactor (VIGIL_LEASE_TTL_MS, VIGIL_LEASE_HEARTBEAT_MS). */
  lease: LeaseTiming;
  /** An open alert not acknowledged this long escalates (default 24 h, docs/safety-rules.md §7). */
  escalateAfterMs: number;
  /** How often overdue alerts are looked for (default 1 min). */
  escalationCheckMs: number;
  /** A reporting clock (SAE-24H, SUSAR-*) escalates this long before its deadline while its report is not recorded (default 6 h). */
  saeRemindBeforeMs: number;
  /** How often the alerting reactor looks for due doses whose window closed with no dose (default 30 s: DOSE-MISSED at most a minute late). */
  scheduleCheckMs: number;
  /** Hy's law: transaminases and bilirubin collected within this many days of each other (default 7). */
  hyLawWindowDays: number;
  /** Events per batch and per read-model transaction (default 2000: ProjectionRunnerOptions.batchSize). */
  batchSize: number;
  /** The trial's protocol, its maintenance window (± days) set by VIGIL_DOSE_WINDOW_DAYS (default 2). */
  protocol: TrialProtocol;
}

export class ProjectorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectorConfigError';
  }
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ProjectorConfigError(`${name} must be a whole number of ${what} ≥ ${min}, got "${raw}"`);
  return value;
}

export function projectorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const dataDir = env.VIGIL_DATA_DIR ?? join(process.cwd(), 'data');
  return {
    readModelsFile: env.VIGIL_PROJECTIONS_FILE ?? (dataDir === ':memory:' ? ':memory:' : join(dataDir, 'projections.sqlite')),
    readModels: readModelStoreConfigFromEnv(env),
    lease: leaseTimingFromEnv(env),
    escalateAfterMs: wholeNumber(env, 'VIGIL_ALERT_ESCALATE_AFTER_MS', 24 * 3_600_000, 1, 'milliseconds'),
    escalationCheckMs: wholeNumber(env, 'VIGIL_ALERT_ESCALATION_CHECK_MS', 60_000, 10, 'milliseconds'),
    saeRemindBeforeMs: wholeNumber(env, 'VIGIL_SAE_REMIND_BEFORE_MS', SAE_REMIND_BEFORE_MS, 0, 'milliseconds'),
    scheduleCheckMs: wholeNumber(env, 'VIGIL_DOSE_SCHEDULE_CHECK_MS', 30_000, 10, 'milliseconds'),
    hyLawWindowDays: wholeNumber(env, 'VIGIL_HY_LAW_WINDOW_DAYS', HY_LAW.windowDays, 1, 'days'),
    batchSize: wholeNumber(env, 'VIGIL_PROJECTION_BATCH_SIZE', 2000, 1, 'events'),
    protocol: protocolFromEnv(env),
  };
}

/**
 * TRANSREG as this deployment runs it: a maintenance dose outside its due date ± VIGIL_DOSE_WINDOW_DAYS
 * is a protocol deviation (docs/protocol.md: ±2 days by default, configurable).
 */
export function protocolFromEnv(env: NodeJS.ProcessEnv = process.env): TrialProtocol {
  const windowDays = wholeNumber(env, 'VIGIL_DOSE_WINDOW_DAYS', TRANSREG.maintenanceWindowDays, 0, 'days');
  return windowDays === TRANSREG.maintenanceWindowDays ? TRANSREG : { ...TRANSREG, maintenanceWindowDays: windowDays };
}
