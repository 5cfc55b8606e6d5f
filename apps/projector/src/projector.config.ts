import { join } from 'node:path';

/** The projector's configuration, read once from the environment and validated with clear messages. */
export interface ProjectorConfig {
  /** Read models' SQLite file (`<VIGIL_DATA_DIR>/projections.sqlite`), or `:memory:`. */
  readModelsFile: string;
  /** An open alert not acknowledged this long escalates (default 24 h, safety-rules.md §7). */
  escalateAfterMs: number;
  /** How often overdue alerts are looked for (default 1 min). */
  escalationCheckMs: number;
  /** Events per batch and per read-model transaction (default 5000). */
  batchSize: number;
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
    escalateAfterMs: wholeNumber(env, 'VIGIL_ALERT_ESCALATE_AFTER_MS', 24 * 3_600_000, 1, 'milliseconds'),
    escalationCheckMs: wholeNumber(env, 'VIGIL_ALERT_ESCALATION_CHECK_MS', 60_000, 10, 'milliseconds'),
    batchSize: wholeNumber(env, 'VIGIL_PROJECTION_BATCH_SIZE', 5000, 1, 'events'),
  };
}
