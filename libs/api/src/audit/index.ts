export * from './audit.module';
export * from './patient-access.interceptor';
