export * from './commands';
export * from './patient-state';
export * from './evolve';
export * from './decide';
export * from './replay';
export { SERIOUSNESS_CRITERIA, RELATEDNESS, AE_OUTCOMES } from './clinical-records';
export * from './clinical-time';
export { recordOf } from './record-journal';
