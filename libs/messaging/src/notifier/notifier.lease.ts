import type { Lease, ReadModelSql } from '@vigil/projections';

/** The lease of alert delivery: one notifier node delivers at a time. */
export const NOTIFIER_LEASE = 'notifier';

/** The lease of the log's outbound stream: one node relays at a time (it need not be the one delivering alerts). */
export const EVENT_RELAY_LEASE = 'event-relay';

/** Holds a lease once its lifecycle made it, for the fence of the writes it guards. */
abstract class LeaseHolder {
  lease?: Lease;

  fence(sql: ReadModelSql): Promise<void> {
    if (!this.lease) throw new Error(`the lease of ${this.constructor.name} was not started`);
    return this.lease.fence(sql);
  }
}

/** The notifier's lease, for the outbox's fence. */
export class NotifierLease extends LeaseHolder {}

/** The event relay's lease, for its checkpoint's fence. */
export class EventRelayLease extends LeaseHolder {}
