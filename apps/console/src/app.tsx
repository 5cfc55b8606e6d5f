import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { apiClient } from './api/client';
import type { ConsoleConfig } from './api/types';
import { completeSignIn, isSignInCallback } from './auth/oidc';
import { may, roleName, saveSession, savedSession, Session, sessionFor } from './auth/session';
import { InboxPage } from './pages/inbox';
import { PatientPage } from './pages/patient';
import { PatientsPage } from './pages/patients';
import { ProjectionsPage } from './pages/projections';
import type { PageProps } from './pages/page-props';
import { SignInPage } from './pages/sign-in';
import { hrefOf, Route, useRoute } from './router';

/** The console: signs in (embedded token, demo user or OpenID Connect), then shows the pages the role may see. */
export function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [session, setSession] = useState<Session | null>(() => savedSession());
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    fetch('/console/config')
      .then((res) => (res.ok ? (res.json() as Promise<ConsoleConfig>) : Promise.reject(new Error(`/console/config answered ${res.status}`))))
      .then(setConfig, (e: Error) => setError(`Vigil did not answer: ${e.message}`));
  }, []);

  // Back from the OIDC issuer with a code: trade it for the access token.
  useEffect(() => {
    if (!config || config.mode !== 'oidc' || !isSignInCallback()) return;
    completeSignIn({ issuer: config.issuer ?? '', clientId: config.clientId ?? '', audience: config.audience })
      .then(({ accessToken }) => sessionFor(accessToken, 'oidc', false))
      .then((next) => signIn(next))
      .catch((e: Error) => setError(`Sign-in failed: ${e.message}`));
  }, [config]);

  const signIn = useCallback((next: Session) => {
    saveSession(next);
    setNotice(null);
    setError(null);
    setSession(next);
  }, []);
  const signOut = useCallback((why?: string) => {
    saveSession(null);
    setSession(null);
    setNotice(why ?? null);
  }, []);

  const api = useMemo(
    () => (session ? apiClient(session.token, () => signOut('Your session has ended (the token expired or was refused): sign in again.')) : null),
    [session],
  );

  if (!config) {
    return (
      <main id="main" class="page">
        <h1>Vigil</h1>
        {error ? <p role="alert">{error}</p> : <p>Loading…</p>}
      </main>
    );
  }
  if (!session || !api) return <SignInPage config={config} onSignIn={signIn} notice={notice} error={error} />;

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Vigil</span>
        <nav aria-label="Pages">
          <a href={hrefOf.inbox} aria-current={route.page === 'inbox' ? 'page' : undefined}>
            Alert inbox
          </a>
          <a href={hrefOf.patients} aria-current={route.page === 'patients' || route.page === 'patient' ? 'page' : undefined}>
            Patients
          </a>
          {may.seeProjections(session.user) && (
            <a href={hrefOf.projections} aria-current={route.page === 'projections' ? 'page' : undefined}>
              Projections &amp; audit
            </a>
          )}
        </nav>
        <span class="who">
          {session.user.name} · {roleName(session.user.role)}
          {session.user.sites.length > 0 && ` · sites ${session.user.sites.join(', ')}`}
        </span>
        {session.mode === 'embedded' && <span class="mode">{session.demo ? 'Embedded mode · demo cohort' : 'Embedded mode'}</span>}
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      <Page route={route} api={api} session={session} />
    </>
  );
}

function Page({ route, api, session }: { route: Route } & PageProps) {
  const main = useRef<HTMLElement>(null);
  // A new page: move the keyboard focus to its heading, as a page load would.
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route.page, route.page === 'patient' ? route.patientId : '']);
  let page;
  switch (route.page) {
    case 'inbox':
      page = <InboxPage api={api} session={session} />;
      break;
    case 'patients':
      page = <PatientsPage api={api} session={session} />;
      break;
    case 'patient':
      page = <PatientPage key={route.patientId} api={api} session={session} patientId={route.patientId} />;
      break;
    case 'projections':
      page = may.seeProjections(session.user) ? (
        <ProjectionsPage api={api} session={session} />
      ) : (
        <>
          <h1 tabIndex={-1}>Projections and audit</h1>
          <p role="alert">A {roleName(session.user.role).toLowerCase()} may not see this page: it is for data managers and administrators.</p>
        </>
      );
      break;
    default:
      page = (
        <>
          <h1 tabIndex={-1}>No such page</h1>
          <p>
            Nothing lives at {route.path}. Go to the <a href={hrefOf.inbox}>alert inbox</a>.
          </p>
        </>
      );
  }
  return (
    <main id="main" class="page" ref={main} tabIndex={-1}>
      {page}
    </main>
  );
}
