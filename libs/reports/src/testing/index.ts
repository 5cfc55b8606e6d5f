export { TrialLog } from './trial-log';
