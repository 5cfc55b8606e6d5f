import { Lease, LeaseTiming, LeaseWork, processOwner, ReadModelDatabase, ReadModelSql } from '@vigil/projections';

/** The alerting reactor's lease (with the escalation and missed-dose timers it runs). */
export const ALERTING_LEASE = 'alerting';
/** The lease of one read model: different read models may be kept by different nodes. */
export const projectionLease = (name: string): string => `projection:${name}`;

/**
 * The leases of the projector role on this node, by name, one owner id for all. Each piece of work
 * fences its writes with its lease (`fence(name)`), looked up when the write runs.
 */
export class ProjectorLeases {
  readonly owner = processOwner();
  private readonly leases = new Map<string, Lease>();

  constructor(
    private readonly db: ReadModelDatabase,
    readonly timing: LeaseTiming,
  ) {}

  /** The lease of a piece of work, created on first use with what to do when it is taken and lost. */
  lease(name: string, work: LeaseWork): Lease {
    let lease = this.leases.get(name);
    if (!lease) {
      lease = new Lease(this.db.store.leases, name, work, this.timing, this.owner);
      this.leases.set(name, lease);
    }
    return lease;
  }

  held(name: string): boolean {
    return this.leases.get(name)?.held ?? false;
  }

  fence(name: string): (sql: ReadModelSql) => Promise<void> {
    return (sql) => {
      const lease = this.leases.get(name);
      if (!lease) throw new Error(`no lease ${name} on this node`);
      return lease.fence(sql);
    };
  }

  all(): Lease[] {
    return [...this.leases.values()];
  }
}
