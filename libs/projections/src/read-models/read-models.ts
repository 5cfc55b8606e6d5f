import type { Projection } from '../engine/projection';
import { AlertListProjection, ALERT_LIST } from './alerts/alert-list.projection';
import { PatientOverviewProjection, PATIENT_OVERVIEW } from './patients/patient-overview.projection';

/** Every read model the projector runs, in the order `GET /projections` lists them. */
export const readModels = (): Projection[] => [new PatientOverviewProjection(), new AlertListProjection()];

/** The read models a query waits on for read-your-writes (alerts included: the reactor's raises land in the alert list). */
export const SAFETY_READ_MODELS: readonly string[] = [PATIENT_OVERVIEW, ALERT_LIST];
