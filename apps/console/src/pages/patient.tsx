import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PageProps } from './page-props';
import { must } from '../api/client';
import type { AccessLogEntry, AuditEntry, LabView, PatientSnapshot, ReplayedAlert } from '../api/types';
import { may, roleName } from '../auth/session';
import { GRADE_COLOURS, LabChart, LabPoint } from '../charts/lab-chart';
import { inputToIso, isoToInput, shortId, unit, utc, value } from '../format';

interface PointInTime {
  asOf?: string;
  asKnownAt?: string;
}

/** One line of the timeline: a recorded event, or something that happened to one of the patient's alerts. */
interface TimelineItem {
  key: string;
  kind: string;
  occurredAt: string;
  recordedAt: string;
  who: string;
  role: string;
  summary: string;
  reason?: string;
  changes?: AuditEntry['changes'];
}

const TIMELINE_PAGE = 25;
const TABLE_PAGE = 20;

/** A patient: timeline, lab charts, the state at a point in time, the export and who viewed the record. */
export function PatientPage({ api, session, patientId }: PageProps & { patientId: string }) {
  const [pit, setPit] = useState<PointInTime>({});
  const [snapshot, setSnapshot] = useState<PatientSnapshot | null>(null);
  const [history, setHistory] = useState<AuditEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.GET('/patients/{patientId}/history', { params: { path: { patientId } } }).then(
      (res) => (res.data ? setHistory(res.data.entries) : setError(messageOf(res.error, res.response))),
      (e: Error) => setError(e.message),
    );
  }, [patientId]);
  useEffect(() => {
    setSnapshot(null);
    // view=full: the charts and the timeline show every result, not the summary the endpoint answers by default.
    api.GET('/patients/{patientId}/state', { params: { path: { patientId }, query: { ...pit, view: 'full' } } }).then(
      (res) => (res.data?.view === 'full' ? setSnapshot(res.data) : setError(messageOf(res.error, res.response))),
      (e: Error) => setError(e.message),
    );
  }, [patientId, pit.asOf, pit.asKnownAt]);

  const replaying = pit.asOf !== undefined || pit.asKnownAt !== undefined;
  return (
    <>
      <h1 tabIndex={-1}>Patient {patientId}</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {snapshot && (
        <p class="summary">
          Site {snapshot.siteId ?? '—'} · {snapshot.disease ?? '—'}
          {snapshot.demographics && ` · ${demographicsText(snapshot.demographics)}`} · enrolled {utc(snapshot.enrolledAt)}
        </p>
      )}
      <AsOfControl pit={pit} onChange={setPit} />
      {replaying && (
        <p class="replay-banner" role="status">
          Replayed: the patient {pit.asOf ? `clinically as of ${utc(pit.asOf)}` : ''}
          {pit.asOf && pit.asKnownAt ? ', ' : ''}
          {pit.asKnownAt ? `as Vigil knew it at ${utc(pit.asKnownAt)}` : ''}
          {snapshot && ` (${snapshot.eventsFolded} of ${snapshot.streamVersion} events)`}.
        </p>
      )}
      {!snapshot ? <p>Loading the patient…</p> : <Labs snapshot={snapshot} />}
      <Timeline history={history} snapshot={snapshot} pit={pit} />
      <section aria-labelledby="export">
        <h2 id="export">Export for an inspector</h2>
        <Export patientId={patientId} token={session.token} />
      </section>
      {/* Read once this page's own views are recorded, so they are in it. */}
      {may.seeAccessLog(session.user) && history && snapshot && <AccessLog key={JSON.stringify(pit)} api={api} patientId={patientId} />}
    </>
  );
}

function messageOf(error: unknown, response: Response): string {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : `${response.status} ${response.statusText}`;
}

function AsOfControl({ pit, onChange }: { pit: PointInTime; onChange: (pit: PointInTime) => void }) {
  const [asOf, setAsOf] = useState(isoToInput(pit.asOf));
  const [asKnownAt, setAsKnownAt] = useState(isoToInput(pit.asKnownAt));
  return (
    <form
      class="as-of"
      aria-label="Replay the patient at a point in time"
      onSubmit={(e) => {
        e.preventDefault();
        onChange({ asOf: inputToIso(asOf), asKnownAt: inputToIso(asKnownAt) });
      }}
    >
      <label>
        Clinically as of (UTC)
        <input type="datetime-local" step={1} name="asOf" value={asOf} onInput={(e) => setAsOf(e.currentTarget.value)} />
      </label>
      <label>
        As known at (UTC)
        <input type="datetime-local" step={1} name="asKnownAt" value={asKnownAt} onInput={(e) => setAsKnownAt(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        Replay
      </button>
      <button
        type="button"
        onClick={() => {
          setAsOf('');
          setAsKnownAt('');
          onChange({});
        }}
      >
        Back to now
      </button>
    </form>
  );
}

function Labs({ snapshot }: { snapshot: PatientSnapshot }) {
  const byTest = useMemo(() => {
    const groups = new Map<string, LabView[]>();
    for (const lab of snapshot.labs) {
      const list = groups.get(lab.current.test) ?? [];
      list.push(lab);
      groups.set(lab.current.test, list);
    }
    return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [snapshot]);
  if (byTest.length === 0) return <p>No lab results{snapshot.pointInTime.asOf || snapshot.pointInTime.asKnownAt ? ' at that point in time' : ''}.</p>;
  return (
    <section aria-labelledby="labs">
      <h2 id="labs">Lab results</h2>
      <p class="legend" aria-label="Point colours">
        {['no grade', 'grade 1', 'grade 2', 'grade 3', 'grade 4'].map((label, grade) => (
          <span key={label}>
            <span class="dot" style={{ background: GRADE_COLOURS[grade] }} /> {label}
          </span>
        ))}
        <span>
          <span class="band" /> reference range
        </span>
        <span>
          <span class="threshold" /> protocol threshold
        </span>
        <span>
          <span class="hollow" /> value before correction
        </span>
      </p>
      <div class="charts">
        {byTest.map(([test, labs]) => (
          <TestPanel key={test} test={test} labs={labs} />
        ))}
      </div>
    </section>
  );
}

function TestPanel({ test, labs }: { test: string; labs: LabView[] }) {
  const [page, setPage] = useState(0);
  const { points, range, thresholds, unitCode } = useMemo(() => {
    const sorted = [...labs].sort((a, b) => a.current.collectedAt.localeCompare(b.current.collectedAt));
    const points: LabPoint[] = sorted.map((lab) => ({
      x: new Date(lab.current.collectedAt).getTime() / 1000,
      y: lab.current.normalised.value,
      grade: lab.grade?.grade ?? null,
      voided: lab.voided,
      ...(lab.corrections.length > 0 ? { original: lab.original.normalised.value } : {}),
    }));
    const latest = sorted[sorted.length - 1];
    const unitCode = latest.current.normalised.unit;
    const thresholds = new Map<string, number>();
    for (const lab of sorted) for (const hit of lab.ruleHits) if (hit.thresholdUnit === unitCode) thresholds.set(hit.ruleId, hit.threshold);
    return {
      points,
      unitCode,
      range: latest.current.normalised.referenceRange,
      thresholds: [...thresholds].map(([ruleId, v]) => ({ ruleId, value: v })),
    };
  }, [labs]);
  const newestFirst = useMemo(() => [...labs].sort((a, b) => b.current.collectedAt.localeCompare(a.current.collectedAt)), [labs]);
  const pages = Math.ceil(newestFirst.length / TABLE_PAGE);
  return (
    <article class="test-panel" aria-labelledby={`test-${test}`}>
      <h3 id={`test-${test}`}>
        {test} <span class="unit">({unit(unitCode)})</span>
      </h3>
      <LabChart test={test} unitCode={unitCode} points={points} range={range} thresholds={thresholds} />
      <details>
        <summary>
          {test}: the {labs.length} results as a table
        </summary>
        <table class="lab-table">
          <thead>
            <tr>
              <th scope="col">Collected</th>
              <th scope="col">Value</th>
              <th scope="col">Reported</th>
              <th scope="col">Grade</th>
              <th scope="col">Rules crossed</th>
              <th scope="col">Correction</th>
            </tr>
          </thead>
          <tbody>
            {newestFirst.slice(page * TABLE_PAGE, (page + 1) * TABLE_PAGE).map((lab) => (
              <tr key={lab.eventId} class={lab.voided ? 'voided' : undefined} data-lab-id={lab.eventId}>
                <td>{utc(lab.current.collectedAt)}</td>
                <td class="lab-value">{value(lab.current.normalised.value, lab.current.normalised.unit)}</td>
                <td>{value(lab.current.value, lab.current.unit)}</td>
                <td>{lab.grade?.grade ?? '—'}</td>
                <td>{lab.ruleHits.map((h) => h.ruleId).join(', ') || '—'}</td>
                <td>
                  {lab.voided
                    ? `voided: ${lab.voidReason ?? ''}`
                    : lab.corrections.length > 0
                      ? `was ${value(lab.original.normalised.value, lab.original.normalised.unit)}`
                      : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager page={page} pages={pages} onPage={setPage} label={`${test} results`} />
      </details>
    </article>
  );
}

function Pager({ page, pages, onPage, label }: { page: number; pages: number; onPage: (page: number) => void; label: string }) {
  if (pages <= 1) return null;
  return (
    <nav class="pager" aria-label={`Pages of ${label}`}>
      <button type="button" onClick={() => onPage(page - 1)} disabled={page === 0}>
        Newer
      </button>
      <span>
        Page {page + 1} of {pages}
      </span>
      <button type="button" onClick={() => onPage(page + 1)} disabled={page >= pages - 1}>
        Older
      </button>
    </nav>
  );
}

const KIND_OF: Record<string, string> = {
  PatientEnrolled: 'enrolment',
  DoseAdministered: 'dose',
  LabResultRecorded: 'lab',
  AdverseEventReported: 'adverse event',
};

function kindOf(type: string): string {
  if (KIND_OF[type]) return KIND_OF[type];
  if (type.endsWith('Corrected')) return 'correction';
  if (type.endsWith('EnteredInError')) return 'void';
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function alertItems(alert: ReplayedAlert): TimelineItem[] {
  const items: TimelineItem[] = [
    {
      key: `${alert.alertId}-raised`,
      kind: 'alert',
      occurredAt: alert.raisedAt,
      recordedAt: alert.recordedAt,
      who: 'Vigil',
      role: 'system',
      summary: `Alert ${alert.ruleId} raised (${alert.severity}): ${alert.message}`,
    },
  ];
  if (alert.acknowledged) {
    items.push({
      key: `${alert.alertId}-ack`,
      kind: 'acknowledgement',
      occurredAt: alert.acknowledged.at,
      recordedAt: alert.acknowledged.at,
      who: alert.acknowledged.by.name ?? alert.acknowledged.by.userId,
      role: alert.acknowledged.by.role,
      summary: `Alert ${alert.ruleId} acknowledged${alert.acknowledged.note ? `: “${alert.acknowledged.note}”` : ''}`,
    });
  }
  alert.escalations.forEach((e, i) =>
    items.push({
      key: `${alert.alertId}-esc-${i}`,
      kind: 'escalation',
      occurredAt: e.at,
      recordedAt: e.at,
      who: 'Vigil',
      role: 'system',
      summary: `Alert ${alert.ruleId} escalated`,
      reason: e.reason,
    }),
  );
  if (alert.retracted) {
    items.push({
      key: `${alert.alertId}-retracted`,
      kind: 'retraction',
      occurredAt: alert.retracted.at,
      recordedAt: alert.retracted.at,
      who: 'Vigil',
      role: 'system',
      summary: `Alert ${alert.ruleId} retracted by correction ${shortId(alert.retracted.correctionEventId)}`,
      reason: alert.retracted.reason,
    });
  }
  return items;
}

function Timeline({ history, snapshot, pit }: { history: AuditEntry[] | null; snapshot: PatientSnapshot | null; pit: PointInTime }) {
  const [page, setPage] = useState(0);
  const items = useMemo(() => {
    if (!history) return [];
    const asOf = pit.asOf ?? '9999';
    const asKnownAt = pit.asKnownAt ?? '9999';
    const recorded: TimelineItem[] = history
      .filter((e) => e.occurredAt <= asOf && e.recordedAt <= asKnownAt)
      .map((e) => ({
        key: e.eventId,
        kind: kindOf(e.type),
        occurredAt: e.occurredAt,
        recordedAt: e.recordedAt,
        who: e.recordedBy.name ?? e.recordedBy.userId,
        role: e.recordedBy.role,
        summary: e.summary,
        reason: e.reason,
        changes: e.changes,
      }));
    const alerts = (snapshot?.alerts ?? []).flatMap((a) => alertItems(a as ReplayedAlert));
    return [...recorded, ...alerts].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.recordedAt.localeCompare(a.recordedAt));
  }, [history, snapshot, pit.asOf, pit.asKnownAt]);
  useEffect(() => setPage(0), [items.length]);
  const pages = Math.ceil(items.length / TIMELINE_PAGE);
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline">Timeline</h2>
      {!history ? (
        <p>Loading the timeline…</p>
      ) : (
        <>
          <p class="hint">{items.length} entries, newest first (by when they happened). Alerts' statuses are as of the replayed moment.</p>
          <ol class="timeline">
            {items.slice(page * TIMELINE_PAGE, (page + 1) * TIMELINE_PAGE).map((item) => (
              <li key={item.key} class={`kind-${item.kind.replace(/\s+/g, '-')}`}>
                <span class="kind">{item.kind}</span>
                <p class="what">{item.summary}</p>
                {item.reason && <p class="reason">Reason: {item.reason}</p>}
                {item.changes && item.changes.length > 0 && (
                  <ul class="changes">
                    {item.changes.map((c) => (
                      <li key={c.field}>
                        {c.field}: {JSON.stringify(c.old)} → {JSON.stringify(c.new)}
                      </li>
                    ))}
                  </ul>
                )}
                <p class="when">
                  Happened {utc(item.occurredAt)} · recorded {utc(item.recordedAt)} · by {item.who} ({roleName(item.role)})
                </p>
              </li>
            ))}
          </ol>
          <Pager page={page} pages={pages} onPage={setPage} label="the timeline" />
        </>
      )}
    </section>
  );
}

function Export({ patientId, token }: { patientId: string; token: string }) {
  const [result, setResult] = useState<{ format: string; url: string; filename: string; digest: string; verified: boolean | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const download = async (format: 'csv' | 'json') => {
    setError(null);
    const res = await fetch(`/patients/${encodeURIComponent(patientId)}/history/export?format=${format}`, { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok) return setError(`The export answered ${res.status}`);
    const body = await res.arrayBuffer();
    const digest = res.headers.get('X-Vigil-SHA256') ?? '';
    let verified: boolean | null = null;
    if (crypto.subtle) {
      const hash = await crypto.subtle.digest('SHA-256', body);
      verified = [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('') === digest;
    }
    const filename = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `${patientId}.${format}`;
    if (result) URL.revokeObjectURL(result.url);
    setResult({ format, url: URL.createObjectURL(new Blob([body], { type: res.headers.get('Content-Type') ?? 'text/plain' })), filename, digest, verified });
  };
  return (
    <div class="export">
      <button type="button" onClick={() => download('csv')}>
        Export CSV
      </button>{' '}
      <button type="button" onClick={() => download('json')}>
        Export JSON
      </button>
      {error && <p role="alert">{error}</p>}
      {result && (
        <p role="status">
          <a href={result.url} download={result.filename}>
            Save {result.filename}
          </a>{' '}
          · SHA-256 <code class="digest">{result.digest}</code>{' '}
          {result.verified === null
            ? '(not checked: this browser has no Web Crypto here)'
            : result.verified
              ? '✓ matches the file'
              : '✗ does NOT match the file'}
        </p>
      )}
    </div>
  );
}

function AccessLog({ api, patientId }: { api: PageProps['api']; patientId: string }) {
  const [entries, setEntries] = useState<AccessLogEntry[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  useEffect(() => {
    api
      .GET('/patients/{patientId}/access-log', { params: { path: { patientId } } })
      .then((res) => setEntries(must(res).entries.reverse()))
      .catch((e: Error) => setFailure(e.message));
  }, [patientId]);
  return (
    <section aria-labelledby="access-log">
      <h2 id="access-log">Who viewed this record</h2>
      {failure ? (
        <p role="alert">The access log could not be read: {failure}</p>
      ) : !entries ? (
        <p>Loading…</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">What</th>
              </tr>
            </thead>
            <tbody>
              {entries.slice(page * TABLE_PAGE, (page + 1) * TABLE_PAGE).map((e) => (
                <tr key={e.eventId}>
                  <td>{utc(e.viewedAt)}</td>
                  <td>{e.viewer.name ?? e.viewer.userId}</td>
                  <td>{roleName(e.viewer.role)}</td>
                  <td>
                    {e.view}
                    {Object.keys(e.query).length > 0 &&
                      ` (${Object.entries(e.query)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(', ')})`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} pages={Math.ceil(entries.length / TABLE_PAGE)} onPage={setPage} label="the access log" />
        </>
      )}
    </section>
  );
}

const demographicsText = (d: { sex: string; birthYear: number; weightKg: number }) => `${d.sex}, born ${d.birthYear}, ${d.weightKg} kg`;
