export * from './api.module';
export * from './config';
export * from './http/setup-http';
export * from './vigil-config.token';
export * from './identity/current-actor.decorator';
export * from './identity/identity.guard';
export * from './patients/commands/execute-patient-command';
export * from './patients/patients.module';
