import type { Lease, ReadModelSql } from '@vigil/projections';

/** The lease of alert delivery: one notifier node delivers at a time. */
export const NOTIFIER_LEASE = 'notifier';

/** Holds the notifier's lease once the lifecycle made it, for the outbox's fence. */
export class NotifierLease {
  lease?: Lease;

  fence(sql: ReadModelSql): Promise<void> {
    if (!this.lease) throw new Error('the notifier lease was not started');
    return this.lease.fence(sql);
  }
}
