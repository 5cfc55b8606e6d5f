import { Inject, Injectable } from '@nestjs/common';
import { alertStream, patientStream } from '@vigil/domain';
import { EVENT_STORE, EventStore } from '@vigil/event-store';

const CACHE_LIMIT = 100_000;

/**
 * Which site a patient or an alert belongs to, for site-scoped access. Read from the first event of
 * the stream (`PatientEnrolled`, `AlertRaised`, both carrying `data.siteId`) and cached: that event
 * never changes. Unknown ids are not cached (the patient may be enrolled a moment later).
 */
@Injectable()
export class SiteDirectory {
  private readonly patients = new Map<string, string>();
  private readonly alerts = new Map<string, string>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** The patient's site, or null when no such patient is enrolled. */
  ofPatient(patientId: string): Promise<string | null> {
    return this.lookUp(this.patients, patientStream(patientId), 'PatientEnrolled');
  }

  /** The site of the alert's patient, or null when no such alert was raised. */
  ofAlert(alertId: string): Promise<string | null> {
    return this.lookUp(this.alerts, alertStream(alertId), 'AlertRaised');
  }

  private async lookUp(cache: Map<string, string>, streamId: string, firstType: string): Promise<string | null> {
    const cached = cache.get(streamId);
    if (cached !== undefined) return cached;
    const [first] = await this.store.readStream(streamId, { toVersion: 1 });
    const siteId = (first?.data as { siteId?: unknown } | undefined)?.siteId;
    if (!first || first.type !== firstType || typeof siteId !== 'string') return null;
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(streamId, siteId);
    return siteId;
  }
}
