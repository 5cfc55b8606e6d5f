import type { ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { replayStoredAlert } from '@vigil/alerting';
import { ALERT_EVENT_TYPES, alertStream, isAlertEventType, type AlertRaisedData, type AlertSeverity, type AlertState, type AlertStatus } from '@vigil/domain';
import type { EventStore, StoredEvent, Subscription } from '@vigil/event-store';
import { AlertFilter, AlertList, AlertView, ReadModelProgress, ReadModelsBehindError } from '@vigil/projections';
import { inSiteScope, SiteScope } from '../auth/site-scope';
import { servedAlert, type ServedAlert } from './served-alert';

/** What each `data:` line of `GET /alerts/stream` carries: one alert event, with the alert as the list now shows it. */
export interface AlertStreamMessage {
  eventId: string;
  /** AlertRaised, AlertAcknowledged, AlertEscalated, AlertRetracted, AlertUpdated, AlertClosed */
  type: string;
  alertId: string;
  patientId: string;
  siteId: string;
  ruleId: string;
  /** Global position of the event: also the SSE `id`, which a reconnecting client sends back as Last-Event-ID. */
  position: number;
  /** The alert as GET /alerts/{alertId} shows it now (absent when the alert list was too far behind to show it). */
  alert?: ServedAlert;
}

/** Alerts a status- or severity-filtered stream keeps folded (about a kilobyte each). */
const FOLDED_ALERTS = 10_000;

/** A message with the alert's status and severity right after its event, which a later event may have changed since. */
interface Candidate {
  message: AlertStreamMessage;
  statusAfter?: AlertStatus;
  severityAfter?: AlertSeverity;
}

export interface AlertEventStreamOptions {
  filter: Omit<AlertFilter, 'sites' | 'limit' | 'cursor'>;
  scope: SiteScope;
  /** Follow events strictly after this global position. */
  after: number;
  heartbeatMs?: number;
  /** How long an event waits for the alert list to show it before it is sent with what the event itself says. */
  listWaitMs?: number;
}

/**
 * One client's alert stream (text/event-stream). It follows the event store from a position (catch-up
 * and live are one read, so nothing falls between them), waits until the alert list shows each event,
 * and sends the events whose alert passes the client's filters and site scope. At least once: a client
 * that reconnects with Last-Event-ID gets every event after it, possibly one it had already seen.
 */
export class AlertEventStream {
  private static readonly logger = new Logger('AlertStream');
  private subscription?: Subscription;
  private heartbeat?: NodeJS.Timeout;
  private closed = false;
  /**
   * With a status or severity filter: each alert as folded up to the last of its events this stream went through
   * (least recently seen dropped first), so that the next event is evolved onto it instead of its stream
   * being read again.
   */
  private readonly folded = new Map<string, AlertState>();

  constructor(
    private readonly store: EventStore,
    private readonly list: AlertList,
    private readonly progress: ReadModelProgress,
    private readonly out: ServerResponse,
    private readonly options: AlertEventStreamOptions,
  ) {}

  start(): void {
    this.out.writeHead(200, {
      // No charset parameter: an event stream is UTF-8 by definition (HTML Living Standard, server-sent events).
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    // `retry`: how long a browser waits before reconnecting; the first comment flushes the headers.
    this.out.write(`retry: 2000\n: following alert events after position ${this.options.after}\n\n`);
    this.heartbeat = setInterval(() => this.out.write(': heartbeat\n\n'), this.options.heartbeatMs ?? 15_000);
    this.out.on('close', () => void this.close());
    this.subscription = this.store.subscribe({ after: this.options.after, batchSize: 200, types: ALERT_EVENT_TYPES }, (batch) => this.send(batch));
    this.subscription.closed.catch((error: unknown) => {
      AlertEventStream.logger.warn(`alert stream stopped: ${error instanceof Error ? error.message : String(error)}`);
      this.out.end();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await this.subscription?.stop();
    if (!this.out.writableEnded) this.out.end();
  }

  private async send(batch: StoredEvent[]): Promise<void> {
    for (const event of batch) {
      if (this.closed) return;
      if (!isAlertEventType(event.type)) continue;
      const candidate = await this.messageFor(event);
      if (!candidate || !this.passes(candidate)) continue;
      const { message } = candidate;
      if (!this.out.write(`id: ${event.globalPosition}\ndata: ${JSON.stringify(message)}\n\n`)) {
        await new Promise((resolve) => this.out.once('drain', resolve).once('close', resolve));
      }
    }
  }

  private async messageFor(event: StoredEvent): Promise<Candidate | null> {
    const alertId = (event.data as { alertId?: unknown }).alertId;
    if (typeof alertId !== 'string') return null;
    let alert: AlertView | undefined;
    try {
      await this.progress.waitForPosition(event.globalPosition, { timeoutMs: this.options.listWaitMs ?? 5_000 });
      alert = await this.list.get(alertId);
    } catch (error) {
      if (!(error instanceof ReadModelsBehindError)) throw error;
    }
    const { status, severity } = this.options.filter;
    const folded = status === undefined && severity === undefined ? undefined : await this.foldedThrough(event);
    // The list is behind (or lost the alert): who the alert is about comes from the event that raised it.
    const raised = alert ?? folded?.raised ?? (await this.raisedData(alertId));
    if (!raised) return null;
    const message: AlertStreamMessage = {
      eventId: event.eventId,
      type: event.type,
      alertId,
      patientId: raised.patientId,
      siteId: raised.siteId,
      ruleId: raised.ruleId,
      position: event.globalPosition,
      ...(alert ? { alert: servedAlert(alert) } : {}),
    };
    if (!folded || folded.status === 'none') return { message };
    return { message, statusAfter: folded.status, severityAfter: folded.figures?.severity };
  }

  /**
   * The alert right after this event: the list shows the alert as it is now, and a raise read after its
   * acknowledgement must not pass `status=acknowledged` as if it were one (nor a warning that a correction
   * made critical since pass `severity=critical`). Events come in the order of the
   * log, so the event is evolved onto the alert as this stream last left it (a raise onto nothing); the
   * alert's stream is read up to it only when this stream has not gone through its previous event
   * (following from a position after it, or the alert dropped from the fold).
   */
  private async foldedThrough(event: StoredEvent): Promise<AlertState> {
    const known = this.folded.get(event.streamId);
    this.folded.delete(event.streamId);
    const state =
      event.streamVersion === 1
        ? replayStoredAlert([event])
        : known?.version === event.streamVersion - 1
          ? replayStoredAlert([event], known)
          : replayStoredAlert(await this.store.readStream(event.streamId, { toVersion: event.streamVersion }));
    this.folded.set(event.streamId, state);
    if (this.folded.size > FOLDED_ALERTS) this.folded.delete(this.folded.keys().next().value as string);
    return state;
  }

  private async raisedData(alertId: string): Promise<Pick<AlertRaisedData, 'patientId' | 'siteId' | 'ruleId'> | undefined> {
    const [first] = await this.store.readStream(alertStream(alertId), { toVersion: 1 });
    return first?.type === 'AlertRaised' ? (first.data as AlertRaisedData) : undefined;
  }

  /** The filters of GET /alerts, and never an alert of a site outside the user's (fails closed). */
  private passes({ message, statusAfter, severityAfter }: Candidate): boolean {
    const { filter, scope } = this.options;
    if (!inSiteScope(scope, message.siteId)) return false;
    if (filter.patientId !== undefined && message.patientId !== filter.patientId) return false;
    if (filter.siteId !== undefined && message.siteId !== filter.siteId) return false;
    if (filter.ruleId !== undefined && message.ruleId !== filter.ruleId) return false;
    // The status and severity are the alert's right after the event, not as the list shows it now.
    if (filter.status !== undefined && statusAfter !== undefined && statusAfter !== filter.status) return false;
    if (filter.severity !== undefined && severityAfter !== filter.severity) return false;
    return true;
  }
}
