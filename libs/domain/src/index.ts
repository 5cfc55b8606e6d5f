export * from './actor';
export * from './events';
export * from './errors';
export * from './instant';
export * from './protocol';
export * from './units';
export * from './patient';
export * from './upcasting';
