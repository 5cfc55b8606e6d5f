import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import {
  alertIdOf,
  ALERT_EVENT_TYPES,
  doseGrid,
  hasOpenCritical,
  inCurrentSchema,
  judgeEvent,
  judgeSchedule,
  nextWindowCloseAfter,
  PATIENT_EVENT_TYPES,
  PatientChart,
  PatientFold,
  patientIdOf,
  patientStream,
  reconcile,
  standingAfter,
  toPatientEvent,
  TRANSREG,
  type AlertCommand,
  type AlertEvent,
  type AlertRaisedData,
  type AlertUpdatedData,
  type Judgement,
  type ReconcileCause,
  type StoredPatientEvent,
  type TrialProtocol,
} from '@vigil/domain';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import type { AlertEscalator } from './alert-escalator';
import type { AlertingState, PatientAlerting } from './alerting-state';
import { SAFETY_RULES_ACTOR, type AlertStreams } from './alert-streams';

export interface AlertingOptions {
  /** The trial's protocol (TRANSREG by default). */
  protocol?: TrialProtocol;
  /** The maintenance window, ± days (VIGIL_DOSE_WINDOW_DAYS). */
  windowDays?: number;
  /** Hy's law window, days (VIGIL_HY_LAW_WINDOW_DAYS). */
  hyLawWindowDays?: number;
  /** Events per batch (default 2000). */
  batchSize?: number;
  /** First delay before retrying a failed batch; doubles up to `maxRetryDelayMs` (defaults 250 ms, 30 s). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Events of folded patient streams kept in memory between batches (default 100 000); beyond, the least recently met are folded again when met. */
  maxEventsKept?: number;
  clock?: () => Date;
  /**
   * Escalates the alerts the reactor just raised or changed whose escalation is already due (AlertEscalator),
   * before the batch's checkpoint: an SAE known for 30 hours is escalated as it is raised, not a check period later.
   */
  escalator?: Pick<AlertEscalator, 'escalateIfDue'>;
}

export type AlertingRunState = 'stopped' | 'catching-up' | 'following' | 'failed';

export interface AlertingStatus {
  name: 'alerting';
  state: AlertingRunState;
  position: number;
  head: number;
  lag: number;
  error?: string;
}

/** A patient as the reactor works on them: what it keeps (`row`), and the fold and chart it judges with. */
interface PatientContext {
  patientId: string;
  row: PatientAlerting;
  fold?: PatientFold;
  chart?: PatientChart;
}

/** An alert command with the envelope facts of what caused it. */
interface Effect {
  command: AlertCommand;
  siteId: string | null;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  reason?: string;
}

const HANDLED: readonly string[] = [...PATIENT_EVENT_TYPES, ...ALERT_EVENT_TYPES];

/**
 * The alerting reactor (docs/architecture.md "Projections and reactors"): follows the log from its own
 * checkpoint, folds each patient's stream (the domain's PatientFold), asks the rules what the patient's
 * alerts should be after each event (judgeEvent, at the event's recording time), reconciles that with the
 * alerts standing, and appends the difference to the alert streams through the one command path. It follows
 * the alert streams too (acknowledgements, escalations, the timer's raises), so that its picture of the
 * standing alerts at each position is the log's.
 *
 * Effects first, checkpoint after: a crash between them replays the batch, and replaying appends nothing
 * (alert ids are derived from what raised them, and the alert decider makes every repeat a no-op). The
 * same holds for a replay of the whole log: it ends with exactly the live run's alerts.
 */
export class AlertingReactor {
  readonly events = new EventEmitter();
  private readonly logger = new Logger('AlertingReactor');
  private readonly protocol: TrialProtocol;
  private readonly clock: () => Date;
  private readonly contexts = new Map<string, PatientContext>();
  private eventsKept = 0;
  private subscription?: Subscription;
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs: number;
  private runState: AlertingRunState = 'stopped';
  private lastError?: string;
  private committed = 0;
  /** Batches and timer passes run one at a time, in this queue. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: EventStore,
    private readonly state: AlertingState,
    private readonly alerts: AlertStreams,
    private readonly options: AlertingOptions = {},
  ) {
    this.protocol = options.protocol ?? TRANSREG;
    this.clock = options.clock ?? (() => new Date());
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.events.setMaxListeners(0);
  }

  /** Global position of the last event whose effects are committed. */
  get position(): number {
    return this.committed;
  }

  async start(): Promise<void> {
    if (this.runState !== 'stopped') return;
    this.committed = await this.state.position();
    this.follow();
  }

  async stop(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.runState = 'stopped';
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.queue.catch(() => undefined);
  }

  async status(): Promise<AlertingStatus> {
    const head = await this.store.headPosition();
    return {
      name: 'alerting',
      state: this.runState,
      position: this.committed,
      head,
      lag: Math.max(0, head - this.committed),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /**
   * Judges the patients whose next due dose's window has closed since their last event (DOSE-MISSED raised
   * at most one timer period late). Only when caught up with the log: a dose recorded but not yet judged
   * would otherwise be reported missed. Returns the number of patients judged.
   */
  checkSchedules(now: Date = this.clock()): Promise<number> {
    return this.exclusive(async () => {
      if (this.runState === 'stopped' || (await this.store.headPosition()) > this.committed) return 0;
      const due = await this.state.due(now.getTime());
      if (due.length === 0) return 0;
      const changed = new Map<string, PatientAlerting>();
      const owners = new Map<string, string>();
      const effects: Effect[] = [];
      for (const patientId of due) {
        const context = await this.context(patientId);
        const { fold, chart } = await this.folded(context, context.row.version);
        const judgedAt = now.toISOString();
        const judgement = judgeSchedule(fold.state, chart, this.judgeContext(judgedAt));
        const cause: ReconcileCause = {
          triggeredBy: `${patientStream(patientId)}@${context.row.version}`,
          reason: 'the due dose’s window closed with no dose recorded',
        };
        this.apply(context, judgement, cause, { occurredAt: judgedAt, correlationId: cause.triggeredBy, causationId: null }, effects, owners, judgedAt);
        context.row = { ...context.row, nextCheckAt: nextWindowCloseAfter(fold.state, doseGrid(fold.state, chart, this.dosing()), now.getTime()) };
        changed.set(patientId, context.row);
      }
      await this.carryOut(effects);
      await this.state.commit({ position: this.committed, patients: changed, owners });
      this.trim();
      return due.length;
    });
  }

  private dosing() {
    return { protocol: this.protocol, windowDays: this.options.windowDays };
  }

  private judgeContext(judgedAt: string) {
    return { judgedAt, protocol: this.protocol, windowDays: this.options.windowDays, hyLawWindowDays: this.options.hyLawWindowDays };
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private follow(): void {
    this.runState = 'catching-up';
    const subscription = this.store.subscribe({ after: this.committed, batchSize: this.options.batchSize ?? 2000, types: HANDLED }, (batch) =>
      this.exclusive(() => this.handle(batch)),
    );
    this.subscription = subscription;
    subscription.closed.then(
      () => undefined,
      (error: unknown) => {
        if (this.subscription !== subscription || this.runState === 'stopped') return;
        this.fail(error);
      },
    );
  }

  private fail(error: unknown): void {
    this.runState = 'failed';
    this.lastError = error instanceof Error ? error.message : String(error);
    this.subscription = undefined;
    // What the failed batch folded and decided in memory was not committed: forget it.
    this.forgetAll();
    this.logger.error(
      `batch after position ${this.committed} failed, retrying in ${this.retryDelayMs} ms: ${this.lastError}`,
      error instanceof Error ? error.stack : undefined,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.runState !== 'failed') return;
      // The checkpoint is read from the database, which may still be away (a restart): that is one more failed
      // attempt, retried later, never a rejection nobody handles (it would end the process).
      this.state.position().then(
        (position) => {
          if (this.runState !== 'failed') return; // stopped meanwhile
          this.committed = position;
          this.follow();
        },
        (error: unknown) => {
          if (this.runState === 'failed') this.fail(error);
        },
      );
    }, this.retryDelayMs);
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 30_000);
  }

  private async handle(batch: StoredEvent[]): Promise<void> {
    if (batch.length === 0) return;
    const changed = new Map<string, PatientAlerting>();
    const owners = new Map<string, string>();
    const effects: Effect[] = [];
    for (const raw of batch) {
      if (!HANDLED.includes(raw.type)) continue;
      const stored = inCurrentSchema(raw);
      const patientId = patientIdOf(stored.streamId);
      if (patientId !== undefined) {
        const context = await this.judge(patientId, stored, effects, owners);
        if (context) changed.set(patientId, context.row);
        continue;
      }
      const alertId = alertIdOf(stored.streamId);
      if (alertId === undefined) continue;
      const context = await this.follower(alertId, stored, owners);
      if (context) changed.set(context.patientId, context.row);
    }
    await this.carryOut(effects);
    const position = batch[batch.length - 1].globalPosition;
    await this.state.commit({ position, patients: changed, owners });
    this.committed = position;
    this.lastError = undefined;
    this.retryDelayMs = this.options.retryDelayMs ?? 250;
    const head = await this.store.headPosition();
    if (this.runState !== 'stopped') this.runState = position >= head ? 'following' : 'catching-up';
    this.trim();
    this.events.emit('checkpoint', position);
  }

  /** One patient event: folded, judged at its recording time, reconciled with the standing alerts. */
  private async judge(patientId: string, stored: StoredEvent, effects: Effect[], owners: Map<string, string>): Promise<PatientContext | undefined> {
    const context = await this.context(patientId);
    if (stored.streamVersion <= context.row.version) return undefined; // judged before (a batch repeated)
    const { fold, chart } = await this.folded(context, stored.streamVersion - 1);
    const event: StoredPatientEvent = toPatientEvent(stored);
    const firstDoseBefore = chart.firstDose()?.time ?? null;
    const openCritical = hasOpenCritical(context.row.standing);
    fold.apply(event);
    chart.observe(fold.state, event);
    const judgedAt = stored.metadata.recordedAt;
    const judgement = judgeEvent(fold.state, chart, event, { ...this.judgeContext(judgedAt), openCritical, firstDoseBefore });
    const cause: ReconcileCause = { triggeredBy: stored.eventId, ...recordOf(event), reason: reasonOf(stored) };
    const envelope = { occurredAt: stored.metadata.occurredAt, correlationId: stored.metadata.correlationId, causationId: stored.eventId };
    context.row = { ...context.row, siteId: fold.state.siteId ?? context.row.siteId, version: stored.streamVersion };
    this.apply(context, judgement, cause, envelope, effects, owners, this.clock().toISOString());
    const nextCheckAt = nextWindowCloseAfter(fold.state, doseGrid(fold.state, chart, this.dosing()), Date.parse(judgedAt));
    context.row = { ...context.row, nextCheckAt };
    this.eventsKept += 1;
    return context;
  }

  /** Reconciles a judgement with the patient's standing alerts, and queues the alert commands it calls for. */
  private apply(
    context: PatientContext,
    judgement: Judgement,
    cause: ReconcileCause,
    envelope: { occurredAt: string; correlationId: string; causationId: string | null },
    effects: Effect[],
    owners: Map<string, string>,
    now: string,
  ): void {
    const siteId = context.row.siteId;
    const { commands, standing } = reconcile(context.row.standing, judgement, cause, { patientId: context.patientId, siteId: siteId ?? '' }, now);
    context.row = { ...context.row, standing };
    const occurredAtOf = new Map(judgement.calls.map((call) => [`${call.ruleId} ${call.subject}`, call.occurredAt]));
    for (const command of commands) {
      if (command.type === 'RaiseAlert') owners.set(command.alert.alertId, context.patientId);
      const occurredAt =
        command.type === 'RaiseAlert' ? (occurredAtOf.get(`${command.alert.ruleId} ${command.alert.subject}`) ?? envelope.occurredAt) : envelope.occurredAt;
      const reason = command.type === 'RetractAlert' || command.type === 'UpdateAlert' ? command.reason : undefined;
      effects.push({ command, siteId, occurredAt, correlationId: envelope.correlationId, causationId: envelope.causationId, ...(reason ? { reason } : {}) });
    }
  }

  /** An alert event: the standing alerts of the patient it stands on take it in. */
  private async follower(alertId: string, stored: StoredEvent, owners: Map<string, string>): Promise<PatientContext | undefined> {
    const event = { type: stored.type, version: stored.schemaVersion, data: stored.data } as AlertEvent;
    let patientId = owners.get(alertId) ?? this.ownerInMemory(alertId);
    if (patientId === undefined && event.type === 'AlertRaised') patientId = event.data.patientId;
    if (patientId === undefined) patientId = (await this.state.owners([alertId])).get(alertId);
    if (patientId === undefined) return undefined; // an alert the reactor never knew (raised before it recorded subjects)
    const context = await this.context(patientId);
    const standing = standingAfter(context.row.standing, event);
    if (standing === context.row.standing) return undefined;
    if (event.type === 'AlertRaised') owners.set(alertId, patientId);
    context.row = { ...context.row, standing };
    return context;
  }

  private ownerInMemory(alertId: string): string | undefined {
    for (const context of this.contexts.values()) {
      if (Object.values(context.row.standing).some((alert) => alert.alertId === alertId)) return context.patientId;
    }
    return undefined;
  }

  /** The patient's context: in memory, else their committed row (or a new one). */
  private async context(patientId: string): Promise<PatientContext> {
    let context = this.contexts.get(patientId);
    if (context) {
      this.contexts.delete(patientId);
      this.contexts.set(patientId, context);
      return context;
    }
    const row = (await this.state.patient(patientId)) ?? { siteId: null, standing: {}, version: 0, nextCheckAt: null };
    context = { patientId, row };
    this.contexts.set(patientId, context);
    return context;
  }

  /** The patient's fold and chart at `version`: kept from the last event, or folded again from the store. */
  private async folded(context: PatientContext, version: number): Promise<{ fold: PatientFold; chart: PatientChart }> {
    if (context.fold && context.chart && context.fold.version === version) return { fold: context.fold, chart: context.chart };
    if (context.fold) this.eventsKept -= context.fold.version;
    const fold = new PatientFold();
    if (version > 0) for (const stored of await this.store.readStream(patientStream(context.patientId), { toVersion: version })) fold.applyStored(stored);
    context.fold = fold;
    context.chart = PatientChart.of(fold.state);
    this.eventsKept += fold.version;
    return { fold, chart: context.chart };
  }

  /** Drops the least recently met patients' folds beyond the bound (their rows are committed; they fold again when met). */
  private trim(): void {
    const bound = this.options.maxEventsKept ?? 100_000;
    for (const [patientId, context] of this.contexts) {
      if (this.eventsKept <= bound) break;
      this.eventsKept -= context.fold?.version ?? 0;
      this.contexts.delete(patientId);
    }
  }

  private forgetAll(): void {
    this.contexts.clear();
    this.eventsKept = 0;
  }

  /**
   * Carries out the batch's alert commands: each alert's in order, different alerts together (their appends share
   * commits); then escalates at once those of the alerts raised or changed with a deadline whose escalation is due.
   */
  private async carryOut(effects: Effect[]): Promise<void> {
    const byAlert = new Map<string, Effect[]>();
    for (const effect of effects) {
      const alertId = effect.command.type === 'RaiseAlert' ? effect.command.alert.alertId : effect.command.alertId;
      const list = byAlert.get(alertId);
      if (list) list.push(effect);
      else byAlert.set(alertId, [effect]);
    }
    const withDeadline = new Set<string>();
    await Promise.all(
      [...byAlert.values()].map(async (list) => {
        for (const effect of list) {
          const appended = await this.alerts.carryOut(effect.command, {
            ...SAFETY_RULES_ACTOR,
            siteId: effect.siteId,
            occurredAt: effect.occurredAt,
            correlationId: effect.correlationId,
            causationId: effect.causationId,
            ...(effect.reason ? { reason: effect.reason } : {}),
          });
          for (const event of appended) if (carriesDeadline(event)) withDeadline.add((event.data as AlertRaisedData | AlertUpdatedData).alertId);
        }
      }),
    );
    if (withDeadline.size > 0) await this.options.escalator?.escalateIfDue([...withDeadline], this.clock());
  }
}

/** An alert raised, or updated, with a deadline (a reporting clock): its escalation may already be due. */
function carriesDeadline(event: StoredEvent): boolean {
  if (event.type === 'AlertRaised') return (event.data as AlertRaisedData).deadline !== undefined;
  if (event.type === 'AlertUpdated') return (event.data as AlertUpdatedData).current.deadline !== undefined;
  return false;
}

/** The record an event is about: its own (a recording), or the one it corrects, voids or reports on. */
function recordOf(event: StoredPatientEvent): { recordId?: string } {
  const data = event.event.data as { originalEventId?: string; adverseEventId?: string };
  switch (event.event.type) {
    case 'DoseAdministered':
    case 'LabResultRecorded':
    case 'AdverseEventReported':
      return { recordId: event.eventId };
    default:
      return data.originalEventId ? { recordId: data.originalEventId } : data.adverseEventId ? { recordId: data.adverseEventId } : {};
  }
}

/** Why a retraction or an update happened: the correction's reason, else the event's type and id. */
function reasonOf(stored: StoredEvent): string {
  const reason = (stored.data as { reason?: unknown }).reason;
  return typeof reason === 'string' && reason.trim() !== '' ? reason : `${stored.type} ${stored.eventId}`;
}
