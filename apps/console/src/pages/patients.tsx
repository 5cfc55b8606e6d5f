import { useEffect, useMemo, useState } from 'preact/hooks';
import type { PageProps } from './page-props';
import { must } from '../api/client';
import type { PatientListItem, PatientSafety } from '../api/types';
import { utc } from '../format';
import { hrefOf } from '../router';

type Compliance = { given: number; expected: number; deviations: number; missed: number };

/** Patients by site and disease, with their open alerts and dose compliance. */
export function PatientsPage({ api }: PageProps) {
  const [patients, setPatients] = useState<PatientListItem[] | null>(null);
  const [openAlerts, setOpenAlerts] = useState<Map<string, number>>(new Map());
  const [compliance, setCompliance] = useState<Map<string, Compliance | null>>(new Map());
  const [site, setSite] = useState('');
  const [disease, setDisease] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.GET('/patients').then(
      (res) => setPatients(must(res).items),
      (e: Error) => setError(e.message),
    );
    (async () => {
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = must(await api.GET('/alerts', { params: { query: { status: 'open', limit: 500, cursor } } }));
        for (const alert of page.items) counts.set(alert.patientId, (counts.get(alert.patientId) ?? 0) + 1);
        cursor = page.nextCursor;
      } while (cursor);
      setOpenAlerts(counts);
    })().catch((e: Error) => setError(e.message));
  }, []);

  const shown = useMemo(() => (patients ?? []).filter((p) => (!site || p.siteId === site) && (!disease || p.disease === disease)), [patients, site, disease]);

  // Dose compliance comes from each patient's safety summary: read a few at a time, for the patients shown.
  useEffect(() => {
    let stopped = false;
    const queue = shown.map((p) => p.patientId).filter((id) => !compliance.has(id));
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !stopped; id = queue.shift()) {
        const res = await api.GET('/patients/{patientId}/safety', { params: { path: { patientId: id } } });
        const doses = (res.data as PatientSafety | undefined)?.doses.compliance as Compliance | undefined;
        if (!stopped) setCompliance((current) => new Map(current).set(id as string, doses ?? null));
      }
    };
    void Promise.all([worker(), worker(), worker(), worker()]);
    return () => {
      stopped = true;
    };
  }, [shown]);

  const sites = [...new Set((patients ?? []).map((p) => p.siteId))].sort();
  const diseases = [...new Set((patients ?? []).map((p) => p.disease))].sort();
  return (
    <>
      <h1 tabIndex={-1}>Patients</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <form class="filters" aria-label="Filter patients" onSubmit={(e) => e.preventDefault()}>
        <label>
          Site
          <select value={site} onChange={(e) => setSite(e.currentTarget.value)}>
            <option value="">any</option>
            {sites.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Disease
          <select value={disease} onChange={(e) => setDisease(e.currentTarget.value)}>
            <option value="">any</option>
            {diseases.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
      </form>
      {!patients ? (
        <p>Loading patients…</p>
      ) : (
        <table class="patients">
          <caption class="visually-hidden">Patients of the sites you may see</caption>
          <thead>
            <tr>
              <th scope="col">Patient</th>
              <th scope="col">Site</th>
              <th scope="col">Disease</th>
              <th scope="col">Enrolled</th>
              <th scope="col">Open alerts</th>
              <th scope="col">Doses given / due</th>
              <th scope="col">Dose deviations</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((p) => {
              const c = compliance.get(p.patientId);
              const alerts = openAlerts.get(p.patientId) ?? 0;
              return (
                <tr key={p.patientId} data-patient-id={p.patientId}>
                  <td>
                    <a href={hrefOf.patient(p.patientId)}>{p.patientId}</a>
                  </td>
                  <td>{p.siteId}</td>
                  <td>{p.disease}</td>
                  <td>{utc(p.enrolledAt)}</td>
                  <td class={alerts > 0 ? 'has-alerts' : undefined}>{alerts}</td>
                  <td>{c === undefined ? '…' : c === null ? '—' : `${c.given} / ${c.expected}`}</td>
                  <td>{c ? `${c.deviations}${c.missed ? ` (${c.missed} missed)` : ''}` : c === null ? '—' : '…'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {patients && shown.length === 0 && <p>No patient matches these filters.</p>}
    </>
  );
}
