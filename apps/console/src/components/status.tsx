/** An alert's status as a word and a colour; a status the console does not know yet is shown as it comes. */
export function StatusBadge({ status, escalated }: { status: string; escalated?: boolean }) {
  const known = ['open', 'acknowledged', 'retracted', 'closed', 'escalated'].includes(status) ? status : 'other';
  return (
    <span class={`badge status-${known}`}>
      {status}
      {escalated && status === 'open' ? ' · escalated' : ''}
    </span>
  );
}

export function SeverityBadge({ severity }: { severity: string }) {
  return <span class={`badge severity-${severity === 'critical' ? 'critical' : severity === 'warning' ? 'warning' : 'other'}`}>{severity}</span>;
}

/** Fields of an alert this console does not know (issue 11 adds some): listed as they come, so nothing is hidden. */
export function ExtraFields({ alert, known }: { alert: Record<string, unknown>; known: readonly string[] }) {
  const extra = Object.entries(alert).filter(([key, v]) => !known.includes(key) && v !== null && v !== undefined && v !== '');
  if (extra.length === 0) return null;
  return (
    <dl class="extra">
      {extra.map(([key, v]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
