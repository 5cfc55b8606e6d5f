import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PatientChart, PatientNotFoundError, safetyFactsOf, type PatientSafetyFacts } from '@vigil/domain';
import { AlertList } from '@vigil/projections';
import { servedAlert, type ServedAlert } from '../alerts/served-alert';
import type { VigilConfig } from '../config';
import { PatientStates } from '../patients/patient-states';
import { VIGIL_CONFIG } from '../vigil-config.token';

export class GetPatientSafety {
  constructor(readonly patientId: string) {}
}

/** What a safety officer sees of one patient: the domain's safety facts, now, and the alerts open on them. */
export interface PatientSafetySummary extends PatientSafetyFacts {
  /** Stream version the summary reflects. */
  version: number;
  /** Global position of the patient's last event the summary reflects. */
  position: number;
  openAlerts: ServedAlert[];
  /** The treatment status now, under the name GET /patients/:patientId gives it (`treatment` is the same, kept for compatibility). */
  treatmentStatus: PatientSafetyFacts['treatment'];
}

/** Folds the patient (fresh from the log) and reads their open alerts from the alert list (read-your-writes waits for it). */
@QueryHandler(GetPatientSafety)
export class GetPatientSafetyHandler implements IQueryHandler<GetPatientSafety, PatientSafetySummary> {
  constructor(
    private readonly patients: PatientStates,
    private readonly alerts: AlertList,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  async execute({ patientId }: GetPatientSafety): Promise<PatientSafetySummary> {
    const loaded = await this.patients.read(patientId);
    const { state, version } = loaded;
    if (!state.enrolled) throw new PatientNotFoundError(patientId);
    const now = new Date();
    const facts = safetyFactsOf(state, PatientChart.of(state), now, { protocol: this.config.protocol });
    const openAlerts = (await this.alerts.openFor(patientId)).map((alert) => servedAlert(alert, now));
    return { ...facts, treatmentStatus: facts.treatment, patientId, version, position: loaded.position ?? 0, openAlerts };
  }
}
