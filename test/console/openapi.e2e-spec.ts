import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startVigil, VigilHarness } from '../harness/vigil-harness';

const root = join(__dirname, '..', '..');
type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; summary?: string };
type Schema = { properties?: Record<string, { format?: string; type?: string | string[] }> };

/** The OpenAPI document the console's client is generated from: complete enough for a generated client. */
describe('The OpenAPI document at /docs/json', () => {
  let vigil: VigilHarness;
  let document: { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

  beforeAll(async () => {
    vigil = await startVigil();
    document = (await vigil.anonymous().get('/docs/json').expect(200)).body;
  });
  afterAll(() => vigil.close());

  it('declares the security of every operation: none for health and its probes, metrics, the public key and the console; a bearer token with 401 and 403 for the rest', () => {
    const publicRoutes = operations()
      .filter(({ op }) => Array.isArray(op.security) && op.security.length === 0)
      .map(({ route }) => route);
    expect(publicRoutes.sort()).toEqual([
      'GET /',
      'GET /audit/public-key',
      'GET /console/config',
      'GET /console/{path}',
      'GET /health',
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'POST /console/demo-sign-in',
    ]);
    const wrong = operations()
      .filter(({ route }) => !publicRoutes.includes(route))
      .filter(({ op }) => JSON.stringify(op.security) !== '[{"bearer":[]}]' || !op.responses['401'] || !op.responses['403'])
      .map(({ route }) => route);
    expect(wrong).toEqual([]);
  });

  it('types the body of every 2xx answer, and names every operation', () => {
    const untyped = operations().flatMap(({ route, op }) =>
      Object.entries(op.responses)
        .filter(([status]) => status.startsWith('2'))
        .filter(([, response]) => !response.content || Object.values(response.content).some((media) => !media.schema))
        .map(([status]) => `${route} ${status}`),
    );
    expect(untyped).toEqual([]);
    expect(
      operations()
        .filter(({ op }) => !op.summary)
        .map(({ route }) => route),
    ).toEqual([]);
  });

  it('marks every timestamp of every schema as format date-time', () => {
    const timestamps = Object.entries(document.components.schemas).flatMap(([name, schema]) =>
      Object.entries(schema.properties ?? {})
        .filter(([property]) => /(At|^deadline|Deadline|^asOf)$/.test(property))
        .map(([property, definition]) => ({ at: `${name}.${property}`, format: definition.format })),
    );
    expect(timestamps.length).toBeGreaterThan(20);
    expect(timestamps.filter((t) => t.format !== 'date-time')).toEqual([]);
  });

  it('matches the document and the client types committed for the console (npm run openapi writes them)', async () => {
    await expect(promisify(execFile)(process.execPath, [join(root, 'scripts', 'openapi.js'), '--check'], { cwd: root })).resolves.toBeDefined();
  }, 60_000);
});
