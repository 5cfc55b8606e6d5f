import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggingOptions, loggingFromEnv, loggingModule } from './logging/logging';
import { HealthProbesController } from './health/health-probes.controller';
import { Readiness } from './health/readiness';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsWiring } from './metrics/metrics-wiring';
import { VigilMetrics } from './metrics/vigil-metrics';
import { OBSERVABILITY_CONFIG, observabilityConfigFromEnv } from './observability.config';

export interface ObservabilityOptions {
  /** The process's metrics (the same object the event store wrapper counts into). */
  metrics: VigilMetrics;
  env?: NodeJS.ProcessEnv;
  /** Default: from VIGIL_LOG_LEVEL and VIGIL_LOG_FORMAT (logging.ts). */
  logging?: LoggingOptions;
}

/**
 * What an operator sees of a Vigil process: `GET /metrics` (Prometheus), `GET /health/live` and
 * `GET /health/ready` (Terminus). Needs the EventStore under EVENT_STORE; uses the read models' progress
 * and the notifier when the process runs them.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false }), loggingModule(options.logging ?? loggingFromEnv(options.env))],
      controllers: [MetricsController, HealthProbesController],
      providers: [
        { provide: VigilMetrics, useValue: options.metrics },
        { provide: OBSERVABILITY_CONFIG, useValue: observabilityConfigFromEnv(options.env ?? process.env) },
        Readiness,
        MetricsWiring,
      ],
      exports: [VigilMetrics],
    };
  }
}
