import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import type { LeaseGrant, LeaseTable, ReadModelSql } from '../store/read-model-store';
import { LeaseLostError } from '../store/read-model-store';

export interface LeaseTiming {
  /** How long a lease holds without a heartbeat: a standby takes over at most this long (plus one heartbeat) after its owner died. */
  ttlMs: number;
  /** How often the owner renews it and a standby tries to take it. */
  heartbeatMs: number;
}

/** 3 s lease, 1 s heartbeat: a standby takes over within 4 s of its owner's kill -9 (README "Several nodes"). */
export const DEFAULT_LEASE_TIMING: LeaseTiming = { ttlMs: 3_000, heartbeatMs: 1_000 };

export class LeaseConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseConfigError';
  }
}

/** VIGIL_LEASE_TTL_MS and VIGIL_LEASE_HEARTBEAT_MS (the heartbeat under half the lease, so one lost beat does not lose it). */
export function leaseTimingFromEnv(env: NodeJS.ProcessEnv = process.env): LeaseTiming {
  const read = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 50) throw new LeaseConfigError(`${name} must be a whole number of milliseconds ≥ 50, got "${env[name]}"`);
    return value;
  };
  const ttlMs = read('VIGIL_LEASE_TTL_MS', DEFAULT_LEASE_TIMING.ttlMs);
  const heartbeatMs = read('VIGIL_LEASE_HEARTBEAT_MS', Math.min(DEFAULT_LEASE_TIMING.heartbeatMs, Math.floor(ttlMs / 3)));
  if (heartbeatMs * 2 > ttlMs) throw new LeaseConfigError(`VIGIL_LEASE_HEARTBEAT_MS (${heartbeatMs}) must be at most half of VIGIL_LEASE_TTL_MS (${ttlMs})`);
  return { ttlMs, heartbeatMs };
}

/** This process, as a lease owner: host, pid and a random part (a restarted process is a new owner). */
export const processOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export interface LeaseWork {
  /** The lease was taken: start the work (resuming from its checkpoint). */
  start(grant: LeaseGrant): Promise<void>;
  /** The lease was lost or given up: stop the work. Its writes are refused by the fence meanwhile. */
  stop(): Promise<void>;
}

/**
 * One piece of work (a projection, the alerting reactor, the notifier) done by one node at a time, hot/cold:
 * every node runs a `Lease` for it; the one holding the lease row does the work and renews it every
 * heartbeat, the others try to take it every heartbeat. A lease not renewed for `ttlMs` (its owner killed,
 * or cut off from the database) is taken by a standby, with a new fencing token: the work's transactions
 * run `fence` first, so an owner that lost its lease (paused, partitioned) can no longer commit anything.
 */
export class Lease {
  private readonly logger: Logger;
  private grant?: LeaseGrant;
  private renewedAt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private tick?: Promise<void>;
  private working = false;

  constructor(
    private readonly table: LeaseTable,
    readonly name: string,
    private readonly work: LeaseWork,
    private readonly timing: LeaseTiming = DEFAULT_LEASE_TIMING,
    readonly owner: string = processOwner(),
  ) {
    this.logger = new Logger(`Lease ${name}`);
  }

  /** Whether this node holds the lease now (as far as it knows). */
  get held(): boolean {
    return this.grant !== undefined;
  }

  get token(): number | undefined {
    return this.grant?.token;
  }

  /** Refuses the transaction unless this node still holds the lease (see LeaseTable.fence). */
  readonly fence = async (sql: ReadModelSql): Promise<void> => {
    const grant = this.grant;
    if (!grant) throw new LeaseLostError({ name: this.name, owner: this.owner, token: 0 });
    await this.table.fence(sql, grant);
  };

  /** Starts competing for the lease; resolves after the first attempt. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.beat();
  }

  /** Stops the work if it runs here, and gives the lease up so a standby takes over at once. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.tick;
    const grant = this.grant;
    // A graceful stop lets the work finish what it has in flight while the lease is still held (its fence
    // passes: a relay's or notifier's last checkpoint is kept, not sent again by the next holder), then gives it up.
    if (grant && this.working) {
      this.working = false;
      await this.work.stop().catch((error: unknown) => this.logger.error(`stopping the work failed: ${String(error)}`));
    }
    await this.lose('stopping');
    if (grant) await this.table.release(grant).catch(() => undefined);
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.beat(), this.timing.heartbeatMs);
    this.timer.unref();
  }

  private beat(): Promise<void> {
    this.tick = this.once().finally(() => this.schedule());
    return this.tick;
  }

  private async once(): Promise<void> {
    try {
      if (this.grant) {
        if (await this.table.renew(this.grant, this.timing.ttlMs)) this.renewedAt = Date.now();
        else await this.lose('renewal refused: the lease expired and another node took it');
        return;
      }
      const grant = await this.table.acquire(this.name, this.owner, this.timing.ttlMs);
      if (!grant || !this.running) return;
      this.grant = grant;
      this.renewedAt = Date.now();
      this.logger.log(`taken by ${this.owner} (token ${grant.token})`);
      this.working = true;
      try {
        await this.work.start(grant);
      } catch (error) {
        await this.lose(`the work did not start: ${String(error)}`);
        await this.table.release(grant).catch(() => undefined);
      }
    } catch (error) {
      // The database is away: the lease may still hold until its time is up, after which a standby may have it.
      if (this.grant && Date.now() - this.renewedAt >= this.timing.ttlMs) await this.lose(`not renewed for ${this.timing.ttlMs} ms: ${String(error)}`);
    }
  }

  private async lose(why: string): Promise<void> {
    if (!this.grant) return;
    this.grant = undefined;
    if (why !== 'stopping') this.logger.warn(`lost by ${this.owner}: ${why}`);
    if (!this.working) return;
    this.working = false;
    await this.work.stop().catch((error: unknown) => this.logger.error(`stopping the work failed: ${String(error)}`));
  }
}
