export * from './lab-tests';
export * from './normalise';
export * from './significant';
