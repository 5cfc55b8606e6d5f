import type { Scenario } from '../scenario';
import { alertLatency } from './alert-latency';
import { auditVerify } from './audit-verify';
import { checkpointAppend } from './checkpoint-append';
import { checkpointVerify } from './checkpoint-verify';
import { coldStart } from './cold-start';
import { httpIngest } from './http-ingest';
import { httpIngestReplicas } from './http-ingest-replicas';
import { machineLimit } from './machine-limit';
import { patientReplay } from './patient-replay';
import { postgresLimit } from './postgres-limit';
import { projectionRebuild } from './projection-rebuild';
import { safetyReportScenario } from './safety-report';
import { storeAppendConcurrent } from './store-append-concurrent';
import { storeAppendSerial } from './store-append-serial';

/** Every scenario, in the order a full run measures them (the machine limit first: others compare to it). */
export const scenarios: readonly Scenario[] = [
  machineLimit,
  storeAppendSerial,
  storeAppendConcurrent,
  checkpointAppend,
  httpIngest,
  httpIngestReplicas,
  alertLatency,
  patientReplay,
  auditVerify,
  checkpointVerify,
  projectionRebuild,
  safetyReportScenario,
  coldStart,
];

/**
 * The scenarios of a run on a store (`--store`): the same names, but those only one store has (`onlyOnStore`: the API
 * replicas need PostgreSQL); on PostgreSQL the machine limit is raw `pg`'s.
 */
export function scenariosFor(store: 'sqlite' | 'postgres'): readonly Scenario[] {
  return scenarios
    .filter((scenario) => scenario.onlyOnStore === undefined || scenario.onlyOnStore === store)
    .map((scenario) => (store === 'postgres' && scenario === machineLimit ? postgresLimit : scenario));
}
