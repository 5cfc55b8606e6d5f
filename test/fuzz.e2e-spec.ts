import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EVENT_STORE, EventStore } from '@vigil/event-store';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, resolveJwtSecret } from '@vigil/api';
import { untilFirstChunk } from './harness/first-chunk';
import { daysAgo, enrolment, startVigil, VigilHarness } from './harness/vigil-harness';

jest.setTimeout(300_000);

const REQUESTS = 10_000;
const SEED = 20260315;

interface Schema {
  type?: string;
  $ref?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}
interface Operation {
  method: string;
  path: string;
  parameters: { in: string; name: string }[];
  body?: Schema;
}
interface FuzzRequest {
  method: string;
  url: string;
  token: string | null;
  headers: Record<string, string>;
  /** Raw text sent as application/json, or undefined for none. */
  body?: string;
}

/** Every operation of Vigil's own OpenAPI document, with its parameters and request body schema. */
type OperationObject = { parameters?: Operation['parameters']; requestBody?: { content?: Record<string, { schema?: Schema }> } };
function operationsOf(document: { paths: Record<string, Record<string, OperationObject>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

// Values that have hurt servers: huge and odd strings and numbers, wrong types, odd Unicode.
const oddString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '‮RTL override',
    'zero\u200bwidth',
    '🧪💉'.repeat(50),
    'e\u0301',
    '../../etc/passwd',
    '%00',
    '<script>alert(1)</script>',
    "'; DROP TABLE events; --",
    '{"$ne":null}',
    '__proto__',
    'constructor',
    '2026-02-30T25:61:00Z',
    '9999-12-31T23:59:59Z',
    '0000-01-01T00:00:00Z',
    'NaN',
    'Infinity',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);
const oddNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 63), 1e21, 0.1 + 0.2));
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  oddNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 5 }),
  fc.object({ maxDepth: 2 }),
);

function valueFor(schema: Schema | undefined, components: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  const resolved = schema?.$ref ? components[schema.$ref.split('/').pop() as string] : schema;
  if (!resolved || depth > 3) return anyJson;
  // Mostly a value the schema gives (its example, one of its enum): so that whole bodies are often valid
  // and the write path is fuzzed too, not only the validation in front of it.
  const typed: fc.WeightedArbitrary<unknown>[] = [{ weight: 1, arbitrary: anyJson }];
  if (resolved.example !== undefined) typed.push({ weight: 8, arbitrary: fc.constant(resolved.example) });
  if (resolved.enum) typed.push({ weight: 8, arbitrary: fc.constantFrom(...resolved.enum) });
  if (resolved.type === 'string')
    typed.push({ weight: 1, arbitrary: oddString }, { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) });
  if (resolved.type === 'number' || resolved.type === 'integer') typed.push({ weight: 1, arbitrary: oddNumber });
  if (resolved.type === 'object' || resolved.properties) typed.push({ weight: 8, arbitrary: bodyFor(resolved, components, depth + 1) });
  return fc.oneof(...typed);
}

/** The schema's own example of a body: each property's example (or first enum value), nested objects included. */
function exampleOf(schema: Schema, components: Record<string, Schema>): unknown {
  const resolved = schema.$ref ? components[schema.$ref.split('/').pop() as string] : schema;
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.enum) return resolved.enum[0];
  if (!resolved.properties) return undefined;
  const body: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(resolved.properties)) {
    const value = exampleOf(property, components);
    if (value !== undefined) body[name] = value;
  }
  return body;
}

/** A body after the schema, then spoilt: a required field dropped, an unknown one added, or kept as it is. */
function bodyFor(schema: Schema, components: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const record = fc.record(Object.fromEntries(properties.map(([name, property]) => [name, valueFor(property, components, depth)])));
  return fc.tuple(record, fc.nat({ max: 9 }), fc.string({ maxLength: 12 }), anyJson).map(([body, how, extra, value]) => {
    const spoilt: Record<string, unknown> = { ...(body as Record<string, unknown>) };
    if (how === 0 && properties.length > 0) delete spoilt[properties[extra.length % properties.length][0]];
    if (how === 1) spoilt[extra || 'extra'] = value;
    if (how === 2) spoilt.__proto__polluted = { admin: true };
    return spoilt;
  });
}

describe('Vigil under 10 000 requests an attacker would send, generated from its own OpenAPI document', () => {
  let vigil: VigilHarness;
  afterEach(() => vigil?.close());

  it('never answers 5xx, appends nothing for a refused request, and still answers /health after', async () => {
    vigil = await startVigil();
    const store = vigil.app.get<symbol, EventStore>(EVENT_STORE);
    await vigil.http().post('/patients').send(enrolment()).expect(201);
    await vigil
      .http()
      .post('/patients')
      .send(enrolment({ patientId: 'TR-PSL-002', siteId: 'PSL' }))
      .expect(201);
    const lab = await vigil
      .http()
      .post('/patients/TR-SAT-001/lab-results')
      .send({ test: 'PLAT', value: 79, unit: '10*9/L', collectedAt: daysAgo(1) })
      .expect(201);
    const document = (await vigil.anonymous().get('/docs/json').expect(200)).body;
    const components: Record<string, Schema> = document.components?.schemas ?? {};
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThanOrEqual(25);

    const secret = resolveJwtSecret(vigil.dataDir, process.env);
    const tokens = await tokensFor(vigil, secret);
    const pathValue = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('TR-SAT-001', 'TR-PSL-002', 'TR-SAT-404', lab.body.eventId as string, randomUUID(), 'safety', 'alert_list') },
      { weight: 1, arbitrary: oddString.map((s) => s.slice(0, 300)) },
    );
    const request: fc.Arbitrary<FuzzRequest> = fc
      .record({
        operation: fc.constantFrom(...operations),
        pathValues: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
        query: fc.dictionary(
          fc.oneof(fc.constantFrom('status', 'limit', 'after', 'asOf', 'format', 'cursor', 'siteId'), fc.string({ maxLength: 8 })),
          oddString,
          {
            maxKeys: 3,
          },
        ),
        // Mostly valid tokens, so that most requests get past authentication to what they fuzz.
        token: fc.oneof({ weight: 7, arbitrary: fc.constantFrom(...tokens.valid) }, { weight: 3, arbitrary: fc.constantFrom(...tokens.forged) }),
        ifMatch: fc.option(fc.oneof(fc.constantFrom('"1"', '"2"', '*', 'W/"1"'), oddString), { nil: undefined }),
        idempotencyKey: fc.option(oddString, { nil: undefined }),
        mangle: fc.nat({ max: 19 }),
        filler: anyJson,
      })
      .chain((r) =>
        (r.operation.body ? bodyFor(r.operation.body, components) : fc.constant(undefined)).map((body) => {
          let i = 0;
          const path = r.operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(wellFormed(String(r.pathValues[i++ % 3]))));
          const query = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v).slice(0, 2000)] as [string, string])).toString();
          const headers: Record<string, string> = {};
          if (r.ifMatch !== undefined) headers['If-Match'] = asHeader(r.ifMatch);
          if (r.idempotencyKey !== undefined) headers['Idempotency-Key'] = asHeader(r.idempotencyKey);
          let text = body === undefined ? undefined : JSON.stringify(body);
          // Now and then a body that is not the operation's at all: another JSON value, broken JSON, deep nesting.
          if (r.mangle === 0) text = JSON.stringify(r.filler) ?? 'null';
          if (r.mangle === 1) text = (text ?? '{"a":1}').slice(0, Math.max(1, (text ?? '').length - 3));
          if (r.mangle === 2) text = `{"a":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
          if (r.mangle === 3 && r.operation.method === 'GET') text = JSON.stringify(r.filler) ?? '1';
          // A quarter of the requests are well formed (the schema's examples, a known patient, an admin):
          // the write path behind validation is then exercised too, with fuzzed ones in between.
          if (r.mangle >= 15) {
            let j = 0;
            const known = ['TR-SAT-001', lab.body.eventId as string, 'TR-PSL-002'];
            const wellFormedPath = r.operation.path.replace(/\{[^}]+\}/g, (name) => (name === '{name}' ? 'safety' : known[j++ % 3]));
            const example = r.operation.body ? exampleOf(r.operation.body, components) : undefined;
            return {
              method: r.operation.method,
              url: wellFormedPath,
              token: tokens.valid[0],
              headers: {},
              body: example === undefined ? undefined : JSON.stringify(example),
            };
          }
          return { method: r.operation.method, url: `${path}${query ? `?${query}` : ''}`, token: r.token, headers, body: text };
        }),
      );

    const requests = fc.sample(request, { numRuns: REQUESTS, seed: SEED });
    const refusedCorrelations = new Set<string>();
    const serverErrors: string[] = [];
    const statuses = new Map<number, number>();
    for (const [n, r] of requests.entries()) {
      const correlationId = `fuzz-${n}`;
      let call = vigil.anonymous()[r.method.toLowerCase() as 'get' | 'post'](r.url).set('X-Correlation-Id', correlationId);
      if (r.token !== null) call = call.set('Authorization', r.token);
      for (const [name, value] of Object.entries(r.headers)) call = call.set(name, value);
      if (r.body !== undefined) call = call.set('Content-Type', 'application/json').send(r.body);
      // The alert stream answers for as long as the client listens: its status and first chunk are the answer.
      if (r.method === 'GET' && r.url.startsWith('/alerts/stream')) call = untilFirstChunk(call);
      const res = await call.ok(() => true);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // The readiness probe's 503 is its answer (read models behind under this load), not a failure.
      const notReady = res.status === 503 && r.url.split('?')[0] === '/health/ready';
      if (res.status >= 500 && !notReady)
        serverErrors.push(`${r.method} ${r.url.slice(0, 200)} → ${res.status} ${String(res.text ?? '').slice(0, 200)} (body ${String(r.body).slice(0, 200)})`);
      if (res.status >= 400) refusedCorrelations.add(correlationId);
    }
    console.info(
      `fuzz (seed ${SEED}): ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${status}×${count}`)
        .join(' ')}`,
    );

    expect(serverErrors).toEqual([]);
    expect(refusedCorrelations.size).toBeGreaterThan(REQUESTS / 2);
    const appendedByRefused: string[] = [];
    for await (const batch of store.readAll()) {
      for (const event of batch)
        if (refusedCorrelations.has(event.metadata.correlationId)) appendedByRefused.push(`${event.type} (${event.metadata.correlationId})`);
    }
    expect(appendedByRefused).toEqual([]);
    await vigil.anonymous().get('/health').expect(200);
  });
});

/** URLs carry Unicode scalar values only: a lone surrogate becomes U+FFFD, as a browser would send it. */
function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function asHeader(value: string): string {
  // Header values are bytes without CR, LF or NUL: what the fuzzed string can be as a header at all.
  return Buffer.from(value.slice(0, 4000), 'latin1')
    .toString('latin1')
    .replace(/[^\u0020-\u007e]/g, '?');
}

/** Bearer headers a caller may send: valid ones of several roles, and the kinds an attacker tries. */
async function tokensFor(vigil: VigilHarness, secret: string): Promise<{ valid: string[]; forged: (string | null)[] }> {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { sub: 'mallory', name: 'Mallory', role: 'admin', sites: [], iss: EMBEDDED_ISSUER, aud: EMBEDDED_AUDIENCE, iat: now, exp: now + 3600 };
  const signed = (header: object, body: object, key = secret) => {
    const unsigned = `${part(header)}.${part(body)}`;
    return `Bearer ${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
  };
  const valid = [
    `Bearer ${await vigil.token({ role: 'admin', sub: 'fuzz-admin' })}`,
    `Bearer ${await vigil.token({ role: 'data_manager', sub: 'fuzz-dm' })}`,
    `Bearer ${await vigil.token({ role: 'investigator', sites: ['SAT'], sub: 'fuzz-inv' })}`,
    `Bearer ${await vigil.token({ role: 'monitor', sub: 'fuzz-monitor' })}`,
    `Bearer ${await vigil.token({ role: 'safety_officer', sub: 'fuzz-so' })}`,
  ];
  const forged = [
    null,
    'Bearer ',
    'Bearer not.a.token',
    'Basic YWRtaW46YWRtaW4=',
    `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`,
    signed({ alg: 'HS256', typ: 'JWT' }, claims, 'a guessed secret'),
    signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 60 }),
    signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'superuser' }),
    signed({ alg: 'HS256', typ: 'JWT' }, { ...claims, sites: 'all', sub: 42 }),
    `Bearer ${'A'.repeat(6000)}.${'B'.repeat(2000)}.C`,
  ];
  return { valid, forged };
}
