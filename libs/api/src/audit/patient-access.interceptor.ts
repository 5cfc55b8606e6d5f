import { applyDecorators, CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, Observable, switchMap } from 'rxjs';
import { PatientRecordView, recordPatientAccess } from '@vigil/audit';
import type { Actor } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { SiteDirectory } from '../auth/site-directory';

const RECORDED_VIEW = Symbol('RECORDED_VIEW');

/**
 * Marks a handler whose answer shows a patient's record: once the answer is ready, and before it is
 * sent, a `PatientRecordViewed` event records who looked, when, at what (ICH E6(R3) §4.2). If that
 * cannot be recorded, the record is not shown. Nothing is recorded for a refused or failed read.
 */
export const RecordsPatientAccess = (view: PatientRecordView) => applyDecorators(SetMetadata(RECORDED_VIEW, view), UseInterceptors(PatientAccessInterceptor));

interface ViewingRequest {
  params: Record<string, string | undefined>;
  query?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  actor?: Actor;
}

@Injectable()
export class PatientAccessInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly sites: SiteDirectory,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const view = this.reflector.get<PatientRecordView | undefined>(RECORDED_VIEW, context.getHandler());
    const request = context.switchToHttp().getRequest<ViewingRequest>();
    const patientId = request.params.patientId;
    // An empty :patientId ('/patients//history') is the pipe's to refuse (400): this is about the route's own wiring.
    if (!view || patientId === undefined || !request.actor) throw new Error('RecordsPatientAccess needs a :patientId route behind the identity guard');
    const actor = request.actor;
    return next.handle().pipe(
      switchMap((answer) =>
        from(
          (async () => {
            await recordPatientAccess(this.store, {
              actor,
              patientId,
              siteId: await this.sites.ofPatient(patientId),
              view,
              query: queryOf(request.query),
              correlationId: correlationOf(request.headers['x-correlation-id']),
            });
            return answer;
          })(),
        ),
      ),
    );
  }
}

function queryOf(query: Record<string, unknown> | undefined): Record<string, string> {
  const recorded: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    recorded[key] = Array.isArray(value) ? value.map(String).join(',') : String(value);
  }
  return recorded;
}

function correlationOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && header.length > 0 && header.length <= 128 ? header : undefined;
}
