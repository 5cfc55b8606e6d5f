export * from './alert-streams';
export * from './alert-escalator';
export * from './alerting-state';
export * from './sqlite-alerting-state';
export * from './alerting-reactor';
export * from './projector/projector.config';
export * from './projector/projector.module';
export * from './projector/projector.tokens';
