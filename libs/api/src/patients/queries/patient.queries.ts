import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PatientNotFoundError, patientStream, PatientState } from '@vigil/domain';
import { EVENT_STORE, EventStore, StoredEvent } from '@vigil/event-store';
import { PatientStates } from '../patient-states';

export class GetPatient {
  constructor(readonly patientId: string) {}
}

export class GetPatientEvents {
  constructor(readonly patientId: string) {}
}

export interface PatientView {
  version: number;
  state: PatientState;
}

@QueryHandler(GetPatient)
export class GetPatientHandler implements IQueryHandler<GetPatient, PatientView> {
  constructor(private readonly patients: PatientStates) {}

  async execute({ patientId }: GetPatient): Promise<PatientView> {
    const loaded = await this.patients.read(patientId);
    if (loaded.version === 0) throw new PatientNotFoundError(patientId);
    return loaded;
  }
}

@QueryHandler(GetPatientEvents)
export class GetPatientEventsHandler implements IQueryHandler<GetPatientEvents, StoredEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ patientId }: GetPatientEvents): Promise<StoredEvent[]> {
    const events = await this.store.readStream(patientStream(patientId));
    if (events.length === 0) throw new PatientNotFoundError(patientId);
    return events;
  }
}
