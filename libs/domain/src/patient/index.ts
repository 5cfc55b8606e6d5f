export * from './commands';
export * from './patient-state';
export * from './evolve';
export * from './patient-fold';
export * from './patient-chart';
export * from './decide';
export { SERIOUSNESS_CRITERIA, RELATEDNESS, AE_OUTCOMES, TREATMENT_STATUSES } from './clinical-records';
export * from './clinical-time';
