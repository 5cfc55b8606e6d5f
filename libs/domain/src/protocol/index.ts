export * from './trial-protocol';
export * from './transreg';
