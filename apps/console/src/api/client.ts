import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/** The API as its OpenAPI document types it (schema.d.ts, generated: `npm run openapi`). */
export type Api = ReturnType<typeof createClient<paths>>;

/** An answer the console cannot use: the status and the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A client that sends the bearer token with every call and reports a 401 (expired or refused token) to
 * `onUnauthorised`, so the console can ask to sign in again.
 */
export function apiClient(token: string, onUnauthorised: () => void): Api {
  const client = createClient<paths>({ baseUrl: location.origin });
  const auth: Middleware = {
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${token}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorised();
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** The data of an openapi-fetch answer, or an ApiError with the API's message. */
export function must<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const error = result.error as { message?: unknown } | undefined;
  const message = typeof error?.message === 'string' ? error.message : `${result.response.status} ${result.response.statusText}`;
  throw new ApiError(result.response.status, message);
}

/** The public client (no token): the console's configuration and the demo sign-in. */
export const publicApi = () => createClient<paths>({ baseUrl: location.origin });
