export * from './ctcae-grades';
export * from './cockcroft-gault';
export * from './lab-safety-rules';
export * from './baseline';
export * from './assess-lab-result';
export * from './sae-clock';
export * from './dose-schedule';
export * from './dose-deviations';
