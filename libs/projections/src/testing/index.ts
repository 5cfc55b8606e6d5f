// Test support of @vigil/projections, for spec files and end-to-end tests (`@vigil/projections/testing`).
export * from './patient-log';
export * from './trial-log';
export * from './read-model-store.contract';
