import { useCallback, useEffect, useState } from 'preact/hooks';
import type { PageProps } from './page-props';
import { must } from '../api/client';
import type { ProjectionOverview, StoreVerification } from '../api/types';
import { may } from '../auth/session';
import { utc } from '../format';

/** Read models with their position, lag and rebuild progress (live while a rebuild runs), and the audit verification. */
export function ProjectionsPage({ api, session }: PageProps) {
  const [projections, setProjections] = useState<ProjectionOverview[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verification, setVerification] = useState<StoreVerification | null>(null);
  const [verifying, setVerifying] = useState(false);

  const load = useCallback(async () => {
    try {
      setProjections(must(await api.GET('/projections')).items);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api]);
  const rebuilding = projections?.some((p) => p.rebuild?.state === 'running') ?? false;
  useEffect(() => {
    void load();
    // Faster while a rebuild runs, so its bar moves.
    const timer = setInterval(() => void load(), rebuilding ? 500 : 3000);
    return () => clearInterval(timer);
  }, [load, rebuilding]);

  const rebuild = async (name: string) => {
    const res = await api.POST('/projections/{name}/rebuild', { params: { path: { name } } });
    if (!res.response.ok && res.response.status !== 409) setError((res.error as { message?: string })?.message ?? `rebuild answered ${res.response.status}`);
    await load();
  };
  const verify = async () => {
    setVerifying(true);
    try {
      setVerification(must(await api.GET('/audit/verify')));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setVerifying(false);
    }
  };

  return (
    <>
      <h1 tabIndex={-1}>Projections and audit</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <section aria-labelledby="projections">
        <h2 id="projections">Read models</h2>
        {!projections ? (
          <p>Loading…</p>
        ) : (
          <table class="projections">
            <thead>
              <tr>
                <th scope="col">Read model</th>
                <th scope="col">Version · build</th>
                <th scope="col">State</th>
                <th scope="col">Position</th>
                <th scope="col">Lag</th>
                <th scope="col">Rebuild</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {projections.map((p) => {
                const job = p.rebuild;
                const percent = job && job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : job?.state === 'done' ? 100 : 0;
                return (
                  <tr key={p.name} data-projection={p.name}>
                    <th scope="row">{p.name}</th>
                    <td>
                      v{p.version} · build {p.liveBuild ?? '—'}
                    </td>
                    <td>
                      {p.state}
                      {p.error && <span class="error"> ({p.error})</span>}
                    </td>
                    <td>
                      {p.position} of {p.head}
                    </td>
                    <td>{p.lag}</td>
                    <td>
                      {job ? (
                        <>
                          <progress id={`progress-${p.name}`} max={100} value={percent} aria-label={`Rebuild of ${p.name}`} /> {percent}% · {job.state}
                          {job.state === 'running' && job.etaSeconds !== null && ` · ${Math.ceil(job.etaSeconds)} s left`}
                          {job.finishedAt && ` · finished ${utc(job.finishedAt)}`}
                          {job.error && <span class="error"> {job.error}</span>}
                        </>
                      ) : (
                        'never rebuilt'
                      )}
                    </td>
                    <td>
                      {may.rebuild(session.user) && (
                        <button type="button" onClick={() => rebuild(p.name)} disabled={job?.state === 'running'} aria-label={`Rebuild ${p.name}`}>
                          Rebuild
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit trail verification</h2>
        <p>Walks every stream's hash chain: any change, removal or reordering of a recorded event is found and named.</p>
        <button type="button" class="primary" onClick={verify} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify the audit trail'}
        </button>
        {verification && (
          <div role="status" class={verification.ok ? 'verified' : 'broken'}>
            {verification.ok ? (
              <p>
                ✓ Intact: {verification.events} events in {verification.streams} streams, every link verified.
              </p>
            ) : (
              <>
                <p>
                  ✗ {verification.broken.length} broken link{verification.broken.length === 1 ? '' : 's'} in {verification.events} events:
                </p>
                <ul>
                  {verification.broken.map((b) => (
                    <li key={`${b.streamId}-${b.version}`}>
                      <code>{b.streamId}</code> at version {b.version}: {b.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </section>
    </>
  );
}
