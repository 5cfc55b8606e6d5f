import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVigil, VigilHarness } from '../harness/vigil-harness';

/**
 * The console's server side, without a browser: the demo sign-in exists only with --demo in embedded mode,
 * `/console/*` serves the build's files and nothing beside them, and `/` says when there is no build.
 * Each Vigil serves a console directory of its own (VIGIL_CONSOLE_DIR), never the real build.
 */
describe("The console's routes on the server: demo sign-in, the build's files, no build", () => {
  const root = mkdtempSync(join(tmpdir(), 'vigil-console-'));
  const build = join(root, 'build');
  const empty = join(root, 'empty');
  const started: VigilHarness[] = [];

  beforeAll(() => {
    mkdirSync(join(build, 'assets'), { recursive: true });
    mkdirSync(empty);
    writeFileSync(join(build, 'index.html'), '<!doctype html><title>Vigil</title>');
    writeFileSync(join(build, 'assets', 'index-abc123.js'), 'console.log("console");');
    writeFileSync(join(build, 'assets', '.env'), 'HIDDEN_IN_ASSETS');
    writeFileSync(join(build, '.htpasswd'), 'HIDDEN_AT_ROOT');
    // Beside the build, not in it: what a `..` would reach.
    writeFileSync(join(root, 'secret.txt'), 'OUTSIDE_THE_BUILD');
  });
  afterAll(async () => {
    for (const vigil of started) await vigil.close();
    rmSync(root, { recursive: true, force: true });
  });

  const start = async (options: { directory: string; demo?: boolean; env?: Record<string, string> }) => {
    const vigil = await startVigil({ demo: options.demo ?? false, env: { VIGIL_CONSOLE_DIR: options.directory, ...options.env } });
    started.push(vigil);
    return vigil;
  };
  const demoSignIn = (vigil: VigilHarness) => vigil.anonymous().post('/console/demo-sign-in').send({ userId: 'demo-safety-officer' });

  it('signs in a demo user only when started with --demo: 404 without it', async () => {
    const demo = await start({ directory: build, demo: true });
    const signedIn = await demoSignIn(demo).expect(200);
    expect(signedIn.body.user).toMatchObject({ userId: 'demo-safety-officer', role: 'safety_officer' });

    const plain = await start({ directory: build });
    const refused = await demoSignIn(plain).expect(404);
    expect(refused.body.message).toBe('demo users exist only when Vigil runs with --demo (embedded mode)');
  });

  it('answers 404 to the demo sign-in in OpenID Connect mode, even with --demo', async () => {
    const issuer = 'https://login.example-hospital.fr/realms/trials';
    const oidc = await start({
      directory: build,
      demo: true,
      env: { VIGIL_JWT_JWKS_URL: `${issuer}/protocol/openid-connect/certs`, VIGIL_JWT_ISSUER: issuer, VIGIL_JWT_AUDIENCE: 'urn:vigil:api' },
    });
    const refused = await demoSignIn(oidc).expect(404);
    expect(refused.body.message).toMatch(/only when Vigil runs with --demo \(embedded mode\)/);
    expect((await oidc.anonymous().get('/console/config').expect(200)).body).toMatchObject({ mode: 'oidc', demo: false });
  });

  it("serves the build's files under /console/, and refuses `..` and hidden files with 404, showing none of them", async () => {
    const vigil = await start({ directory: build });
    const asset = await vigil.anonymous().get('/console/assets/index-abc123.js').expect(200);
    expect(asset.text).toBe('console.log("console");');

    const refused = [
      '/console/../secret.txt',
      '/console/assets/../../secret.txt',
      '/console/%2e%2e/secret.txt',
      '/console/..%2fsecret.txt',
      '/console/assets/%2e%2e/%2e%2e/secret.txt',
      '/console/.htpasswd',
      '/console/assets/.env',
      '/console/assets/%2eenv',
    ];
    const answers = await Promise.all(
      refused.map(async (path) => ({ path, ...(({ status, text }) => ({ status, text }))(await vigil.anonymous().get(path)) })),
    );
    expect(answers.filter((a) => a.status !== 404)).toEqual([]);
    expect(answers.filter((a) => /OUTSIDE_THE_BUILD|HIDDEN_/.test(a.text))).toEqual([]);
  });

  it('answers 503 at / when the console is not built, saying how to build it, and the page when it is', async () => {
    const unbuilt = await start({ directory: empty });
    const res = await unbuilt.anonymous().get('/').expect(503);
    expect(res.text).toBe(`The console is not built (${empty}): run npm run build:console, or npm start, which builds it.`);

    const built = await start({ directory: build });
    const page = await built.anonymous().get('/').expect(200);
    expect(page.text).toBe('<!doctype html><title>Vigil</title>');
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
  });
});
