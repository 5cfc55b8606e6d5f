import { mintBenchToken } from './token';

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** A small JSON client over fetch, carrying the bearer token when the API asks for one. */
export class VigilClient {
  constructor(
    readonly url: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async get<T = unknown>(path: string): Promise<Answer<T>> {
    const res = await fetch(this.url + path, { headers: this.headers });
    return { status: res.status, body: (await parse(res)) as T };
  }

  async post<T = unknown>(path: string, body: unknown): Promise<Answer<T>> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await parse(res)) as T };
  }

  /** Asserts a 2xx, naming the request and what came back otherwise. */
  async ok<T = unknown>(answer: Promise<Answer<T>>, what: string): Promise<T> {
    const { status, body } = await answer;
    if (status < 200 || status >= 300) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  }
}

async function parse(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A client that gets past authorisation: until verified tokens exist every request acts as the
 * development identity; once the API answers 401 without a token, the benchmark mints one with the
 * secret it gave the server (HS256, VIGIL_JWT_SECRET). Authorisation is then part of what is measured.
 */
export async function authorisedClient(url: string, benchDist: string): Promise<{ client: VigilClient; auth: 'bearer token' | 'none (development identity)' }> {
  const probe = await new VigilClient(url).get('/patients/TR-NOBODY-0/events');
  if (probe.status !== 401 && probe.status !== 403) return { client: new VigilClient(url), auth: 'none (development identity)' };
  const client = new VigilClient(url, { authorization: `Bearer ${await mintBenchToken(benchDist)}` });
  const again = await client.get('/patients/TR-NOBODY-0/events');
  if (again.status === 401 || again.status === 403) {
    throw new Error(`the API refuses the benchmark's token (HTTP ${again.status} ${JSON.stringify(again.body)}): see bench/support/token.ts`);
  }
  return { client, auth: 'bearer token' };
}

/** True when the answer is Nest's "no such route" 404, not a 404 of the domain (unknown patient…). */
export function isMissingRoute(answer: Answer): boolean {
  const message = (answer.body as { message?: unknown })?.message;
  return answer.status === 404 && typeof message === 'string' && /^Cannot (GET|POST|PUT|PATCH|DELETE) /.test(message);
}

/** Runs `task` over 0..count-1 with at most `concurrency` at a time. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
