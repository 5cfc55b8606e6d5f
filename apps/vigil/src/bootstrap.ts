import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configFromEnv, httpConfigFromEnv, notingWritePositions, setupHttp, vigilFastifyAdapter, VigilConfig } from '@vigil/api';
import { createEventStore, EventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { InstrumentedEventStore, loggingFromEnv, VigilLogger, VigilMetrics } from '@vigil/observability';
import { VigilModule } from './app.module';
import { rolesFrom, VigilRole } from './roles';

export interface VigilAppOptions {
  /** Environment to read the configuration from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Overrides of the configuration read from `env`. */
  config?: Partial<VigilConfig>;
  /** A store to use instead of the configured one (tests). */
  store?: EventStore;
  logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose')[];
  /** `--demo`: the console offers the demo users (embedded tokens only). */
  demo?: boolean;
  /** The roles this process runs (default: VIGIL_ROLES, else all). */
  roles?: readonly VigilRole[];
}

/** Builds the embedded Vigil application, initialised but not yet listening. */
export async function createVigilApp(options: VigilAppOptions = {}): Promise<NestFastifyApplication> {
  const env = { ...process.env, ...options.env };
  const config: VigilConfig = { ...configFromEnv(env), ...options.config };
  const metrics = new VigilMetrics();
  const roles = options.roles ?? rolesFrom(env);
  // Any number of API replicas serve at once; the other roles report their leases (metrics-wiring.ts).
  metrics.setRoleOwner('api', roles.includes('api'));
  const configured = options.store ?? (await createEventStore(eventStoreConfigFromEnv({ ...env, VIGIL_DATA_DIR: config.dataDir })));
  const store = notingWritePositions(new InstrumentedEventStore(configured, metrics));
  const http = httpConfigFromEnv(env);
  // Tests that ask for no logs get none (not even request lines); everything else logs through pino.
  const logging = options.logger === false ? { format: 'silent' as const, level: 'info' as const } : loggingFromEnv(env);
  const app = await NestFactory.create<NestFastifyApplication>(
    VigilModule.create(config, store, env, { demo: options.demo, roles, metrics, logging }),
    vigilFastifyAdapter(http),
    { logger: options.logger ?? ['log', 'error', 'warn'], bufferLogs: options.logger !== false },
  );
  if (options.logger !== false) app.useLogger(app.get(VigilLogger));
  await setupHttp(app, http);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
