import { join } from 'node:path';
import type { Actor, Role } from '@vigil/domain';
import { ROLES } from '@vigil/domain';

/** Process configuration, read once from the environment and validated with clear messages. */
export interface VigilConfig {
  port: number;
  dataDir: string;
  /** Tolerated clock skew for "future" clinical dates. */
  maxClockSkewMs: number;
  devActor: Actor;
}

export class ConfigError extends Error {}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): VigilConfig {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a TCP port, got "${env.PORT}"`);
  const skew = Number(env.VIGIL_MAX_CLOCK_SKEW_MS ?? 5 * 60_000);
  if (!Number.isFinite(skew) || skew < 0) throw new ConfigError(`VIGIL_MAX_CLOCK_SKEW_MS must be a non-negative number of milliseconds`);
  const role = (env.VIGIL_DEV_ROLE ?? 'admin') as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`VIGIL_DEV_ROLE must be one of ${ROLES.join(', ')}`);
  return {
    port,
    dataDir: env.VIGIL_DATA_DIR ?? join(process.cwd(), 'data'),
    maxClockSkewMs: skew,
    devActor: {
      userId: env.VIGIL_DEV_USER ?? 'dev',
      name: env.VIGIL_DEV_NAME ?? 'Development user',
      role,
      sites: (env.VIGIL_DEV_SITES ?? '*').split(',').map((s) => s.trim()).filter(Boolean),
    },
  };
}
