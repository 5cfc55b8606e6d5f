// What an operator sees of a Vigil process: metrics (Prometheus), health probes (Terminus), structured logs (pino).
export * from './metrics/vigil-metrics';
export * from './metrics/instrumented-event-store';
export * from './observability.config';
export * from './observability.module';
export * from './logging/logging';
export { Logger as VigilLogger } from 'nestjs-pino';
