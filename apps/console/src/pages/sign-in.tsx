import { useState } from 'preact/hooks';
import { publicApi } from '../api/client';
import type { ConsoleConfig } from '../api/types';
import { beginSignIn } from '../auth/oidc';
import { roleName, Session, sessionFor } from '../auth/session';

interface SignInProps {
  config: ConsoleConfig;
  onSignIn: (session: Session) => void;
  notice: string | null;
  error: string | null;
}

/** Embedded mode asks for a token (or, with --demo, offers the demo users); production signs in at the OIDC issuer. */
export function SignInPage({ config, onSignIn, notice, error: outerError }: SignInProps) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(outerError);
  const [busy, setBusy] = useState(false);

  const asDemoUser = async (userId: string) => {
    setBusy(true);
    const { data, response } = await publicApi().POST('/console/demo-sign-in', { body: { userId } });
    if (!data) {
      setBusy(false);
      return setError(`The demo sign-in answered ${response.status}.`);
    }
    await signInWith(data.token, true);
  };
  const signInWith = async (bearer: string, demo: boolean) => {
    setBusy(true);
    try {
      onSignIn(await sessionFor(bearer, 'embedded', demo));
    } catch (e) {
      setBusy(false);
      setError((e as Error).message);
    }
  };
  const withToken = (event: Event) => {
    event.preventDefault();
    void signInWith(token, false);
  };
  const atIssuer = async () => {
    setBusy(true);
    try {
      await beginSignIn({ issuer: config.issuer ?? '', clientId: config.clientId ?? '', audience: config.audience });
    } catch (e) {
      setBusy(false);
      setError(`The issuer could not be reached: ${(e as Error).message}`);
    }
  };

  return (
    <main id="main" class="page sign-in">
      <h1>Vigil console</h1>
      <p class="lead">Safety monitoring of the TRANSREG trial: alerts, patients' records and the audit trail.</p>
      {notice && <p class="notice">{notice}</p>}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}

      {config.mode === 'oidc' ? (
        <section aria-labelledby="oidc">
          <h2 id="oidc">Sign in</h2>
          {config.clientId ? (
            <>
              <p>You sign in with your organisation's account at {new URL(config.issuer ?? '').host}.</p>
              <button type="button" class="primary" onClick={atIssuer} disabled={busy}>
                Sign in with {new URL(config.issuer ?? '').host}
              </button>
            </>
          ) : (
            <p role="alert">This Vigil has no console client id: its administrator must set VIGIL_CONSOLE_CLIENT_ID.</p>
          )}
        </section>
      ) : (
        <>
          <p class="embedded-mode" role="note">
            <strong>Embedded mode.</strong> This Vigil runs on its embedded store and signs its own tokens: fit for a laptop, a demonstration or a test, not for
            a trial's production.
            {config.demo && ' It holds the simulated demo cohort: no real patient is in it.'}
          </p>
          {config.demo && config.demoUsers && (
            <section aria-labelledby="demo-users">
              <h2 id="demo-users">Sign in as a demo user</h2>
              <ul class="demo-users">
                {config.demoUsers.map((user) => (
                  <li key={user.userId}>
                    <button type="button" onClick={() => asDemoUser(user.userId)} disabled={busy}>
                      {roleName(user.role)}: {user.name}
                    </button>
                    <span> {user.works}</span>
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="with-token">
            <h2 id="with-token">Sign in with a token</h2>
            <form onSubmit={withToken}>
              <label for="token">Bearer token</label>
              <p class="hint" id="token-hint">
                Mint one with <code>npm run vigil -- token --sub so1 --name "Sam Safety" --role safety_officer</code>.
              </p>
              <textarea id="token" aria-describedby="token-hint" rows={3} value={token} onInput={(e) => setToken(e.currentTarget.value)} required />
              <button type="submit" class="primary" disabled={busy}>
                Sign in
              </button>
            </form>
          </section>
        </>
      )}
    </main>
  );
}
