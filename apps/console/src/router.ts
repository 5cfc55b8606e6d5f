import { useEffect, useState } from 'preact/hooks';

/** Pages live in the hash (`#/patients/TR-SAT-101`): the API owns every path, so the console never clashes with it. */
export type Route =
  { page: 'inbox' } | { page: 'patients' } | { page: 'patient'; patientId: string } | { page: 'projections' } | { page: 'not-found'; path: string };

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/inbox') return { page: 'inbox' };
  if (path === '/patients') return { page: 'patients' };
  const patient = /^\/patients\/([^/]+)$/.exec(path);
  if (patient) return { page: 'patient', patientId: decodeURIComponent(patient[1]) };
  if (path === '/projections') return { page: 'projections' };
  return { page: 'not-found', path };
}

export const hrefOf = {
  inbox: '#/inbox',
  patients: '#/patients',
  patient: (patientId: string) => `#/patients/${encodeURIComponent(patientId)}`,
  projections: '#/projections',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
