import { join } from 'node:path';
import type { TrialProtocol } from '@vigil/domain';
import { protocolFromEnv } from '@vigil/alerting';
import { JwtConfig, jwtConfigFromEnv } from './auth/jwt-config';

/** Process configuration, read once from the environment and validated with clear messages. */
export interface VigilConfig {
  port: number;
  dataDir: string;
  /** Tolerated clock skew for "future" clinical dates. */
  maxClockSkewMs: number;
  /** How long after recording an entry its investigators may still correct it (then only data managers). */
  correctionWindowMs: number;
  /** How bearer tokens are verified (VIGIL_JWT_SECRET, or VIGIL_JWT_JWKS_URL + _ISSUER + _AUDIENCE). */
  jwt: JwtConfig;
  /** The trial's protocol as this deployment runs it (the maintenance window, VIGIL_DOSE_WINDOW_DAYS). */
  protocol: TrialProtocol;
}

export class ConfigError extends Error {}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a TCP port, got "${env.PORT}"`);
  const skew = Number(env.VIGIL_MAX_CLOCK_SKEW_MS ?? 5 * 60_000);
  if (!Number.isFinite(skew) || skew < 0) throw new ConfigError(`VIGIL_MAX_CLOCK_SKEW_MS must be a non-negative number of milliseconds`);
  const windowHours = Number(env.VIGIL_CORRECTION_WINDOW_HOURS ?? 72);
  if (!Number.isFinite(windowHours) || windowHours < 0) throw new ConfigError('VIGIL_CORRECTION_WINDOW_HOURS must be a non-negative number of hours');
  return {
    port,
    correctionWindowMs: windowHours * 3_600_000,
    dataDir: env.VIGIL_DATA_DIR ?? join(process.cwd(), 'data'),
    maxClockSkewMs: skew,
    jwt: jwtConfigFromEnv(env),
    protocol: protocolFromEnv(env),
  };
}
