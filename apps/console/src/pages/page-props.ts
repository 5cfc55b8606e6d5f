import type { Api } from '../api/client';
import type { Session } from '../auth/session';

/** What every page gets from the app: the typed API client and the signed-in session. */
export interface PageProps {
  api: Api;
  session: Session;
}
