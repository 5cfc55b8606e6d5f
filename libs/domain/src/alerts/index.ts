export * from './alert-id';
export * from './alert-commands';
export * from './alert-state';
export * from './decide-alert';
export * from './alert-for';
export * from './rule-hit-changes';
