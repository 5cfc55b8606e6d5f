import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configFromEnv, httpConfigFromEnv, notingWritePositions, setupHttp, vigilFastifyAdapter, VigilConfig } from '@vigil/api';
import { createEventStore, EventStore, eventStoreConfigFromEnv } from '@vigil/event-store';
import { InstrumentedEventStore, loggingFromEnv, VigilLogger, VigilMetrics } from '@vigil/observability';
import { VigilModule } from './app.module';
import { ProjectorThread, tellingAppends } from './projector-thread';
import { ALL_ROLES, rolesFrom, VigilRole } from './roles';

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
  /**
   * Run the projector and notifier roles on a worker thread of their own (README "Both cores"), where the
   * process runs every role on SQLite files (not `:memory:`, nor a store passed in). `npm start` asks for it
   * (VIGIL_PROJECTOR_THREAD, default on); applications built in tests keep one thread (the default here).
   */
  projectorThread?: boolean;
}

/** Builds the embedded Vigil application, initialised but not yet listening. */
export async function createVigilApp(options: VigilAppOptions = {}): Promise<NestFastifyApplication> {
  const env = { ...process.env, ...options.env };
  const config: VigilConfig = { ...configFromEnv(env), ...options.config };
  const metrics = new VigilMetrics();
  const roles = options.roles ?? rolesFrom(env);
  // Any number of API replicas serve at once; the other roles report their leases (metrics-wiring.ts).
  metrics.setRoleOwner('api', roles.includes('api'));
  const storeConfig = eventStoreConfigFromEnv({ ...env, VIGIL_DATA_DIR: config.dataDir });
  const configured = options.store ?? (await createEventStore(storeConfig));
  const http = httpConfigFromEnv(env);
  // Tests that ask for no logs get none (not even request lines); everything else logs through pino.
  const logging = options.logger === false ? { format: 'silent' as const, level: 'info' as const } : loggingFromEnv(env);
  const nestLogger = options.logger ?? ['log', 'error', 'warn'];
  const threaded = options.projectorThread && !options.store && storeConfig.kind === 'sqlite' && config.dataDir !== ':memory:' && runsEveryRole(roles);
  const instrumented = new InstrumentedEventStore(configured, metrics);
  // The thread boots while this one builds the HTTP side: both only create what is missing in the shared files.
  const thread = threaded ? ProjectorThread.spawn({ env, config: options.config ?? {}, logging, logger: nestLogger }, instrumented, exitOnDeath) : undefined;
  const store = notingWritePositions(thread ? tellingAppends(instrumented, thread) : instrumented);
  if (thread) metrics.includeThread(() => thread.metrics());
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(
      VigilModule.create(config, store, env, {
        demo: options.demo,
        roles: thread ? ['api'] : roles,
        metrics,
        logging,
        projectorProgress: thread?.onProgress,
        projectorThread: thread,
      }),
      vigilFastifyAdapter(http),
      { logger: nestLogger, bufferLogs: options.logger !== false },
    );
    if (options.logger !== false) app.useLogger(app.get(VigilLogger));
    // No request is answered before the read models are kept and alerts raised.
    await thread?.ready;
    await setupHttp(app, http);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  } catch (error) {
    // The thread would keep the process alive without the HTTP side it serves.
    await thread?.stop();
    if (thread) await configured.close();
    throw error;
  }
  if (thread) new Logger('Vigil').log(`Projector and notifier run on thread ${thread.threadId} (VIGIL_PROJECTOR_THREAD=off keeps them on this one)`);
  return app;
}

const runsEveryRole = (roles: readonly VigilRole[]) => ALL_ROLES.every((role) => roles.includes(role));

/** A process whose projector thread died would answer without raising alerts: it says why and exits, for its supervisor to restart it. */
function exitOnDeath(reason: string): void {
  new Logger('Vigil').error(`The projector thread ${reason}: no read model nor alert would move on, exiting`);
  process.exitCode = 1;
  // The error line is written before the process ends (pino writes synchronously to stdout).
  setImmediate(() => process.exit(1));
}
