import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PageProps } from './page-props';
import { must } from '../api/client';
import type { operations } from '../api/schema';
import type { Alert } from '../api/types';
import { may } from '../auth/session';
import { ExtraFields, SeverityBadge, StatusBadge } from '../components/status';
import { countdown, shortId, utc, value } from '../format';
import { AlertEvent, FeedState, followAlerts } from '../live/alert-feed';
import { hrefOf } from '../router';

const STATUS_ORDER: Record<string, number> = { open: 0, escalated: 0, acknowledged: 1 };
const SEVERITY_ORDER: Record<string, number> = { critical: 0, warning: 1 };

/** Open alerts first, then by severity (critical first), then newest first. */
export function inboxOrder(a: Alert, b: Alert): number {
  return (
    (STATUS_ORDER[a.status] ?? 2) - (STATUS_ORDER[b.status] ?? 2) ||
    (SEVERITY_ORDER[a.severity] ?? 2) - (SEVERITY_ORDER[b.severity] ?? 2) ||
    b.raisedAt.localeCompare(a.raisedAt)
  );
}

const KNOWN_FIELDS = [
  'alertId',
  'patientId',
  'siteId',
  'ruleId',
  'status',
  'escalated',
  'escalatedAt',
  'triggeredBy',
  'value',
  'unit',
  'normalisedValue',
  'normalisedUnit',
  'threshold',
  'thresholdUnit',
  'grade',
  'severity',
  'message',
  'raisedAt',
  'occurredAt',
  'deadline',
  'acknowledgedAt',
  'acknowledgedBy',
  'acknowledgedByName',
  'acknowledgementNote',
  'retractedAt',
  'retractedBy',
  'retractionReason',
  'subject',
  'openSince',
  'updates',
  'closedAt',
  'reportedAt',
  'late',
  'reportReference',
] as const;

interface Filters {
  status: string;
  siteId: string;
  ruleId: string;
  severity: string;
}

const PAGE = 200;

type StatusFilter = NonNullable<NonNullable<operations['AlertsController_list']['parameters']['query']>['status']>;
/** The statuses GET /alerts filters by. When the API gains one, the check below fails the typecheck until it is listed here. */
const STATUSES = ['open', 'acknowledged', 'retracted', 'closed'] as const satisfies readonly StatusFilter[];
const everyStatusListed: Exclude<StatusFilter, (typeof STATUSES)[number]> extends never ? true : never = true;
void everyStatusListed;

/** The safety officer's inbox: alerts as they are raised (server-sent events, polling while the stream is down). */
export function InboxPage({ api, session }: PageProps) {
  const [alerts, setAlerts] = useState<Map<string, Alert>>(new Map());
  const [nextCursor, setNextCursor] = useState<string | undefined>();
  const [filters, setFilters] = useState<Filters>({ status: '', siteId: '', ruleId: '', severity: '' });
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [feed, setFeed] = useState<FeedState>('connecting');
  const [announcement, setAnnouncement] = useState('');
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [now, setNow] = useState(Date.now());
  const [acknowledging, setAcknowledging] = useState<string | null>(null);
  const query = { status: (filters.status || undefined) as StatusFilter | undefined, siteId: filters.siteId || undefined, ruleId: filters.ruleId || undefined };
  const queryKey = JSON.stringify(query);
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const page = must(await api.GET('/alerts', { params: { query: { ...query, limit: PAGE } } }));
      if (mine !== generation.current) return;
      setAlerts(new Map(page.items.map((a) => [a.alertId, a as Alert])));
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoaded(true);
    }
  }, [api, queryKey]);

  const more = async () => {
    const page = must(await api.GET('/alerts', { params: { query: { ...query, limit: PAGE, cursor: nextCursor } } }));
    setAlerts((current) => new Map([...current, ...page.items.map((a) => [a.alertId, a as Alert] as const)]));
    setNextCursor(page.nextCursor);
  };

  useEffect(() => {
    void load();
    const onEvent = (event: AlertEvent) => {
      if (!event.alert) return void load();
      const alert = event.alert;
      setAlerts((current) => new Map(current).set(alert.alertId, alert));
      if (event.type === 'AlertRaised') {
        setFresh((current) => new Set(current).add(alert.alertId));
        setAnnouncement(`New ${alert.severity} alert ${alert.ruleId} for patient ${alert.patientId}: ${alert.message}`);
      }
    };
    return followAlerts({ token: session.token, filters: query, onEvent, onPoll: () => void load(), onState: setFeed });
  }, [load]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  const all = useMemo(() => [...alerts.values()], [alerts]);
  const shown = useMemo(() => all.filter((a) => !filters.severity || a.severity === filters.severity).sort(inboxOrder), [all, filters.severity]);
  const sites = useMemo(() => [...new Set([...all.map((a) => a.siteId), ...session.user.sites])].sort(), [all]);
  const rules = useMemo(() => [...new Set(all.map((a) => a.ruleId))].sort(), [all]);
  const open = all.filter((a) => a.status === 'open').length;
  const set = (key: keyof Filters) => (e: Event) => setFilters({ ...filters, [key]: (e.currentTarget as HTMLSelectElement).value });

  return (
    <>
      <h1 tabIndex={-1}>Alert inbox</h1>
      <p class="summary">
        {loaded ? `${open} open of ${all.length} listed` : 'Loading alerts…'}{' '}
        <span class={`feed feed-${feed}`} data-feed={feed}>
          {feed === 'live' ? '● live' : feed === 'polling' ? '○ reconnecting: checking every 5 s' : '○ connecting'}
        </span>
      </p>
      <div class="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <form class="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Site
          <select value={filters.siteId} onChange={set('siteId')}>
            <option value="">any</option>
            {sites.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Rule
          <select value={filters.ruleId} onChange={set('ruleId')}>
            <option value="">any</option>
            {[...new Set([...rules, filters.ruleId].filter(Boolean))].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={filters.severity} onChange={set('severity')}>
            <option value="">any</option>
            <option>critical</option>
            <option>warning</option>
          </select>
        </label>
      </form>
      <table class="alerts">
        <caption class="visually-hidden">Alerts, open first, then by severity and time</caption>
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Severity</th>
            <th scope="col">Patient</th>
            <th scope="col">Site</th>
            <th scope="col">Rule</th>
            <th scope="col">Value against threshold</th>
            <th scope="col">Grade</th>
            <th scope="col">Raised</th>
            <th scope="col">Deadline</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((alert) => (
            <AlertRow
              key={alert.alertId}
              alert={alert}
              now={now}
              fresh={fresh.has(alert.alertId)}
              canAcknowledge={may.acknowledge(session.user)}
              acknowledging={acknowledging === alert.alertId}
              onAcknowledge={() => setAcknowledging(alert.alertId)}
              onCancel={() => setAcknowledging(null)}
              onDone={(updated) => {
                setAcknowledging(null);
                setAlerts((current) => new Map(current).set(updated.alertId, updated));
                setAnnouncement(`Alert ${updated.ruleId} for ${updated.patientId} acknowledged`);
              }}
              api={api}
            />
          ))}
        </tbody>
      </table>
      {loaded && shown.length === 0 && <p>No alert matches these filters.</p>}
      {nextCursor && (
        <button type="button" onClick={more}>
          Show older alerts
        </button>
      )}
    </>
  );
}

interface RowProps {
  alert: Alert;
  now: number;
  fresh: boolean;
  canAcknowledge: boolean;
  acknowledging: boolean;
  onAcknowledge: () => void;
  onCancel: () => void;
  onDone: (alert: Alert) => void;
  api: PageProps['api'];
}

function AlertRow({ alert, now, fresh, canAcknowledge, acknowledging, onAcknowledge, onCancel, onDone, api }: RowProps) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const noteField = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (acknowledging) noteField.current?.focus();
  }, [acknowledging]);
  // A reporting clock runs until its report closes it, acknowledged or not.
  const deadline = alert.deadline && (alert.status === 'open' || alert.status === 'acknowledged') ? countdown(alert.deadline, now) : null;
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      onDone(must(await api.POST('/alerts/{alertId}/acknowledge', { params: { path: { alertId: alert.alertId } }, body: note ? { note } : {} })) as Alert);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  // Value and threshold side by side only in the same unit: a clearance threshold is not compared with a creatinine value.
  const comparable = alert.normalisedValue !== null && alert.threshold !== null && alert.normalisedUnit === alert.thresholdUnit;
  const comparison = comparable && (alert.normalisedValue as number) < (alert.threshold as number) ? '<' : '>';
  return (
    <>
      <tr class={`alert row-${alert.status}${fresh ? ' fresh' : ''}`} data-alert-id={alert.alertId}>
        <td>
          <StatusBadge status={alert.status} escalated={alert.escalated} />
        </td>
        <td>
          <SeverityBadge severity={alert.severity} />
        </td>
        <td>
          <a href={hrefOf.patient(alert.patientId)}>{alert.patientId}</a>
        </td>
        <td>{alert.siteId}</td>
        <td>
          <abbr title={alert.message}>{alert.ruleId}</abbr>
        </td>
        <td>
          {comparable ? (
            <>
              {value(alert.normalisedValue, alert.normalisedUnit)} {comparison} {value(alert.threshold, alert.thresholdUnit)}
              {alert.unit && alert.unit !== alert.normalisedUnit && <span class="reported"> (reported {value(alert.value, alert.unit)})</span>}
            </>
          ) : (
            <span>{alert.message}</span>
          )}
        </td>
        <td>{alert.grade ?? '—'}</td>
        <td>{utc(alert.raisedAt)}</td>
        <td class={deadline?.overdue ? 'overdue' : undefined}>{deadline ? deadline.text : alert.deadline ? utc(alert.deadline) : '—'}</td>
        <td>
          {canAcknowledge && alert.status === 'open' && !acknowledging && (
            <button type="button" onClick={onAcknowledge} aria-label={`Acknowledge ${alert.ruleId} alert for ${alert.patientId}`}>
              Acknowledge
            </button>
          )}
        </td>
      </tr>
      {(acknowledging || alert.status !== 'open' || alert.escalated || alert.updates.length > 0 || hasExtra(alert)) && (
        <tr class="alert-detail">
          <td colSpan={10}>
            {acknowledging && (
              <form class="acknowledge" onSubmit={submit}>
                <label for={`note-${alert.alertId}`}>
                  Note for {alert.ruleId} on {alert.patientId} (what you did or decided)
                </label>
                <textarea id={`note-${alert.alertId}`} ref={noteField} rows={2} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
                <button type="submit" class="primary">
                  Confirm acknowledgement
                </button>
                <button type="button" onClick={onCancel}>
                  Cancel
                </button>
                {error && <span role="alert">{error}</span>}
              </form>
            )}
            {alert.acknowledgedAt && (
              <p>
                Acknowledged {utc(alert.acknowledgedAt)} by {alert.acknowledgedByName ?? alert.acknowledgedBy}
                {alert.acknowledgementNote && `: “${alert.acknowledgementNote}”`}
              </p>
            )}
            {alert.escalated && <p>Escalated {utc(alert.escalatedAt)}: left unacknowledged past the escalation delay.</p>}
            {alert.updates.map((update) => (
              <p class="updated" key={update.correctionEventId}>
                Updated {utc(update.updatedAt)} by <code>{shortId(update.correctionEventId)}</code>: {figures(update.previous)} → {figures(update.current)}
                {update.reason && ` (${update.reason})`}
                {alert.openSince !== alert.raisedAt && update.updatedAt === alert.openSince && ' — open again: its severity rose'}
              </p>
            ))}
            {alert.status === 'closed' && (
              <p class={alert.late ? 'closed late' : 'closed'}>
                Closed {utc(alert.closedAt)}: reported {utc(alert.reportedAt)}
                {alert.reportReference && ` (${alert.reportReference})`}
                {alert.late ? ', after the deadline (late)' : ', in time'}
              </p>
            )}
            {alert.status === 'retracted' && (
              <p class="retracted">
                Retracted {utc(alert.retractedAt)} by correction <code>{shortId(alert.retractedBy)}</code>
                {alert.retractionReason && `: ${alert.retractionReason}`} (<a href={hrefOf.patient(alert.patientId)}>see the patient's timeline</a>)
              </p>
            )}
            <ExtraFields alert={alert} known={KNOWN_FIELDS} />
          </td>
        </tr>
      )}
    </>
  );
}

/** An alert's figures before or after an update: value, grade and severity. */
function figures(f: Alert['updates'][number]['current']): string {
  const shown = f.normalisedValue !== null ? value(f.normalisedValue, f.normalisedUnit) : value(f.value, f.unit);
  return `${shown}${f.grade !== null ? `, grade ${f.grade}` : ''}, ${f.severity}`;
}

const hasExtra = (alert: Alert) => Object.keys(alert).some((key) => !(KNOWN_FIELDS as readonly string[]).includes(key));
