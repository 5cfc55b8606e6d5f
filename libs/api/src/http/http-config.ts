/** How the HTTP server guards itself: body size and depth, rate limits, timeouts. Read once from the environment. */
export interface HttpConfig {
  /** VIGIL_HTTP_BODY_LIMIT_BYTES (default 1 MiB): a larger body is refused with 413 before it is parsed. */
  bodyLimitBytes: number;
  /** VIGIL_HTTP_MAX_DEPTH (default 32): a JSON body nested deeper is refused with 400 before it is validated. */
  maxDepth: number;
  /** Requests per window and user (VIGIL_RATE_LIMIT_PER_USER) and per client address (VIGIL_RATE_LIMIT_PER_ADDRESS); 0 turns one off. */
  rateLimitPerUser: number;
  rateLimitPerAddress: number;
  /** VIGIL_RATE_LIMIT_WINDOW_MS (default 60 000). */
  rateLimitWindowMs: number;
  /** VIGIL_HTTP_REQUEST_TIMEOUT_MS (default 30 000): the whole request must arrive within it. */
  requestTimeoutMs: number;
  /** VIGIL_HTTP_IDLE_TIMEOUT_MS (default 120 000): a connection silent this long is closed (the alert stream's heartbeats keep it open). */
  idleTimeoutMs: number;
}

export class HttpConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HttpConfigError';
  }
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, what: string): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new HttpConfigError(`${name} must be ${what} ≥ ${min}, got "${env[name]}"`);
  return value;
}

/**
 * Defaults never limit one user's heavy but honest load: the benchmark's ingest (thousands of results a
 * second from one user and one address) stays far below 300 000 requests a minute.
 */
export function httpConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HttpConfig {
  return {
    bodyLimitBytes: whole(env, 'VIGIL_HTTP_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 'a number of bytes'),
    maxDepth: whole(env, 'VIGIL_HTTP_MAX_DEPTH', 32, 2, 'a nesting depth'),
    rateLimitPerUser: whole(env, 'VIGIL_RATE_LIMIT_PER_USER', 300_000, 0, 'a number of requests'),
    rateLimitPerAddress: whole(env, 'VIGIL_RATE_LIMIT_PER_ADDRESS', 300_000, 0, 'a number of requests'),
    rateLimitWindowMs: whole(env, 'VIGIL_RATE_LIMIT_WINDOW_MS', 60_000, 1_000, 'a number of milliseconds'),
    requestTimeoutMs: whole(env, 'VIGIL_HTTP_REQUEST_TIMEOUT_MS', 30_000, 1_000, 'a number of milliseconds'),
    idleTimeoutMs: whole(env, 'VIGIL_HTTP_IDLE_TIMEOUT_MS', 120_000, 1_000, 'a number of milliseconds'),
  };
}
