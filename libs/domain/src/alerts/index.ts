export * from './alert-id';
export * from './alert-commands';
export * from './alert-state';
export * from './decide-alert';
export * from './escalation';
export * from './reconcile';
