import { RULES, severitiesOf } from '@vigil/domain';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry's families and values, as a thread sends them to another (prom-client's JSON form). */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** The lag gauges: read from the read models' checkpoints, which every thread sharing them reads alike. */
export const LAG_FAMILIES: readonly string[] = ['vigil_projection_lag_events', 'vigil_projection_lag_seconds'];

/** How far a read model or reactor got: its name and the global position of the last event it covers. */
export interface ProgressReading {
  name: string;
  position: number;
}

/** What the lag gauges read when Prometheus scrapes: the followers' positions, the head, and an event's recording time. */
export interface LagSource {
  positions(): Promise<ProgressReading[]>;
  head(): Promise<number>;
  /** `recordedAt` (ms since the epoch) of the first event after `position`, undefined when there is none. */
  recordedAfter(position: number): Promise<number | undefined>;
}

/** One follower's lag at a scrape: events behind the head, and the age of the oldest it has not covered. */
interface LagReading {
  name: string;
  events: number;
  seconds: number;
}

/** Deliveries still to make, by channel (the outbox's pending rows), read when Prometheus scrapes. */
export type BacklogSource = () => Record<string, number> | Promise<Record<string, number>>;

/** What an append to the event store came to (`vigil_appends_total`'s outcome label). */
export const APPEND_OUTCOMES = ['appended', 'duplicate', 'conflict', 'failed'] as const;
export type AppendOutcome = (typeof APPEND_OUTCOMES)[number];

/** Seconds: a local append takes about a millisecond, a remote one tens; an HTTP request up to the timeout. */
const APPEND_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Every metric family Vigil exposes at `GET /metrics`, in one registry per process (not prom-client's
 * global one: tests start several applications in one process). The README's "Metrics" table lists them.
 * Counters move where the work happens (the store wrapper, the HTTP hook, the notifier's failures);
 * gauges about state (lag, backlog) are read from their sources at scrape time, so they are never stale.
 */
export class VigilMetrics {
  readonly registry = new Registry();
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status' | 'status_code'>;
  readonly appends: Counter<'outcome'>;
  readonly appendDuration: Histogram<'outcome'>;
  readonly alertsRaised: Counter<'rule' | 'severity'>;
  readonly deliveryFailures: Counter<'channel'>;
  readonly roleOwner: Gauge<'role'>;
  private readonly lagSources: LagSource[] = [];
  /** The lag reading of the scrape under way: both lag gauges collect at once, and share it. */
  private lagReading?: Promise<LagReading[]>;
  private readonly backlogSources: BacklogSource[] = [];
  private readonly roleSources = new Map<string, () => boolean>();
  private readonly otherThreads: (() => Promise<MetricsSnapshot>)[] = [];

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by method, route template and status (status_code: the same, as dashboards before it read it), and how long they took',
      labelNames: ['method', 'route', 'status', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.appends = new Counter({
      name: 'vigil_appends_total',
      help: 'Appends to the event store by outcome: appended, duplicate (a repeated command id), conflict (expected version), failed',
      labelNames: ['outcome'],
      registers,
    });
    this.appendDuration = new Histogram({
      name: 'vigil_append_duration_seconds',
      help: 'How long an append to the event store took, by outcome',
      labelNames: ['outcome'],
      buckets: APPEND_BUCKETS,
      registers,
    });
    // Each outcome from 0, so an append rate (or its absence) reads the same on an idle node as on a busy one.
    for (const outcome of APPEND_OUTCOMES) {
      this.appends.inc({ outcome }, 0);
      this.appendDuration.zero({ outcome });
    }
    const lag = () => this.lag();
    new Gauge({
      name: 'vigil_projection_lag_events',
      help: 'Events between the head of the log and what each read model or reactor covers',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const { name, events } of await lag()) this.set({ projection: name }, events);
      },
    });
    new Gauge({
      name: 'vigil_projection_lag_seconds',
      help: 'Age of the oldest event a read model or reactor has not yet covered (0 when it is at the head)',
      labelNames: ['projection'],
      registers,
      async collect() {
        this.reset();
        for (const { name, seconds } of await lag()) this.set({ projection: name }, seconds);
      },
    });
    const backlogs = this.backlogSources;
    new Gauge({
      name: 'vigil_outbox_backlog',
      help: 'Alert deliveries waiting in the outbox (not yet accepted by their receiver), by channel',
      labelNames: ['channel'],
      registers,
      async collect() {
        this.reset();
        for (const backlog of backlogs) for (const [channel, pending] of Object.entries(await backlog())) this.set({ channel }, pending);
      },
    });
    this.deliveryFailures = new Counter({
      name: 'vigil_delivery_failures_total',
      help: 'Failed alert delivery attempts, by channel (each is retried with backoff)',
      labelNames: ['channel'],
      registers,
    });
    this.alertsRaised = new Counter({
      name: 'vigil_alerts_raised_total',
      help: 'Alerts raised by this process, by rule and severity',
      labelNames: ['rule', 'severity'],
      registers,
    });
    // Every rule of the catalogue at each severity it can raise, from 0: a rate over no sample is no rate.
    for (const rule of RULES) for (const severity of severitiesOf(rule)) this.alertsRaised.inc({ rule: rule.id, severity }, 0);
    const roles = this.roleSources;
    this.roleOwner = new Gauge({
      name: 'vigil_role_owner',
      help: 'Whether this process holds the work of a role now (1) or stands by (0): api, projector, alerting, notifier',
      labelNames: ['role'],
      registers,
      collect() {
        for (const [role, held] of roles) this.set({ role }, held() ? 1 : 0);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reports whether this process runs `role` now (for leadership: 1 on the leader, 0 on the others). */
  setRoleOwner(role: string, owned: boolean): void {
    this.roleOwner.set({ role }, owned ? 1 : 0);
  }

  /** A role whose ownership is read at scrape time (a lease: 1 on the node holding it, 0 on the standbys). */
  watchRole(role: string, held: () => boolean): void {
    this.roleSources.set(role, held);
  }

  /** Read models and reactors whose lag is reported (read at scrape time). */
  watchLag(source: LagSource): void {
    this.lagSources.push(source);
  }

  /** An outbox whose pending deliveries are reported (read at scrape time). */
  watchBacklog(source: BacklogSource): void {
    this.backlogSources.push(source);
  }

  /** The lag of every watched read model and reactor, read once for the scrape under way. */
  private lag(): Promise<LagReading[]> {
    this.lagReading ??= this.readLag().finally(() => (this.lagReading = undefined));
    return this.lagReading;
  }

  /**
   * Positions and head once per source; an event's recording time only for a follower behind the head,
   * once per position (followers at the same place share it): at rest, a scrape reads no event at all.
   */
  private async readLag(): Promise<LagReading[]> {
    const now = Date.now();
    const readings: LagReading[] = [];
    for (const source of this.lagSources) {
      const [positions, head] = await Promise.all([source.positions(), source.head()]);
      const oldest = new Map<number, Promise<number | undefined>>();
      for (const { name, position } of positions) {
        const events = Math.max(0, head - position);
        if (events === 0) {
          readings.push({ name, events, seconds: 0 });
          continue;
        }
        if (!oldest.has(position)) oldest.set(position, source.recordedAfter(position));
        const recordedAt = await oldest.get(position);
        readings.push({ name, events, seconds: recordedAt === undefined ? 0 : Math.max(0, (now - recordedAt) / 1000) });
      }
    }
    return readings;
  }

  /**
   * The metrics of another thread of this process (the projector thread of the embedded default), added
   * to this one's at each scrape: counters and gauges of the same labels are summed.
   */
  includeThread(snapshot: () => Promise<MetricsSnapshot>): void {
    this.otherThreads.push(snapshot);
  }

  /** This registry's families and values for another thread's scrape, without those the other reads itself (`without`). */
  async snapshot(without: readonly string[] = []): Promise<MetricsSnapshot> {
    return (await this.registry.getMetricsAsJSON()).filter((family) => !without.includes(family.name));
  }

  /** The Prometheus text exposition of every family (this thread's, plus the other threads' included). */
  async exposition(): Promise<{ contentType: string; body: string }> {
    if (this.otherThreads.length === 0) return { contentType: this.registry.contentType, body: await this.registry.metrics() };
    const snapshots = await Promise.all([this.registry.getMetricsAsJSON(), ...this.otherThreads.map((snapshot) => snapshot())]);
    return { contentType: this.registry.contentType, body: await AggregatorRegistry.aggregate(snapshots).metrics() };
  }
}
