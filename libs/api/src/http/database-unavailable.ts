/** Seconds a client is told to wait (Retry-After) while the database is away or the read models are behind. */
export const RETRY_AFTER_SECONDS = 1;

/** Network errors of a connection to the database, and PostgreSQL's own "not now" codes. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01', // admin_shutdown (pg_terminate_backend, a restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '08000', // connection_exception
  '08001',
  '08003',
  '08006',
  '53300', // too_many_connections
  'SQLITE_BUSY',
]);

const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /connection error/i, /Client was closed/i];

/**
 * Whether a failure means "the database cannot be reached now" (answered 503 with Retry-After, and the
 * next request tries again on a fresh connection) rather than a fault of the request or of Vigil.
 */
export function databaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((inner) => databaseUnavailable(inner, depth + 1))) return true;
  return databaseUnavailable(cause, depth + 1);
}
