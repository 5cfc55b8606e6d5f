export * from './projections-api.module';
