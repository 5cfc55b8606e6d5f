import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../harness/vigil-process';
import { startVigil, VigilHarness } from '../harness/vigil-harness';
import { ARTIFACTS, describeInBrowser, launchChromium } from './support/browser';
import { ensureConsoleBuilt } from './support/console-build';

jest.setTimeout(60_000);

/** Production sign-in: authorization code + PKCE at a real OpenID Connect issuer (oidc-provider), then the API accepts its token. */
describeInBrowser('Console sign-in at the OpenID Connect issuer Vigil trusts', () => {
  const audience = 'urn:vigil:api';
  let issuer: ChildProcess;
  let vigil: VigilHarness;
  let browser: Browser;
  let base: string;
  let issuerUrl: string;

  beforeAll(async () => {
    ensureConsoleBuilt();
    const [issuerPort, vigilPort] = [await freePort(), await freePort()];
    issuerUrl = `http://127.0.0.1:${issuerPort}`;
    base = `http://127.0.0.1:${vigilPort}`;
    issuer = spawn(process.execPath, [join(__dirname, 'support', 'oidc-issuer.mjs'), String(issuerPort), `${base}/`, audience], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      issuer.stdout?.on('data', (chunk: Buffer) => ((output += chunk.toString()), output.includes('ready') && resolve()));
      issuer.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      issuer.on('exit', (code) => reject(new Error(`the OIDC issuer exited ${code}: ${output}`)));
    });
    vigil = await startVigil({
      env: {
        VIGIL_JWT_JWKS_URL: `${issuerUrl}/jwks`,
        VIGIL_JWT_ISSUER: issuerUrl,
        VIGIL_JWT_AUDIENCE: audience,
        VIGIL_CONSOLE_CLIENT_ID: 'vigil-console',
        // Keycloak's shape: the role in a nested list; the console learns it from GET /me, not from the claims.
        VIGIL_JWT_ROLE_CLAIM: 'realm_access.roles',
        VIGIL_JWT_SITES_CLAIM: 'vigil_sites',
      },
    });
    await vigil.app.listen(vigilPort, '127.0.0.1');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await vigil?.close();
    issuer?.kill();
  });

  it("signs in at the issuer with PKCE and uses the access token on Vigil's API as the role it carries", async () => {
    const page = await (await browser.newContext()).newPage();
    const failed: string[] = [];
    page.on('response', (res) => res.status() >= 400 && failed.push(`${res.status()} ${res.url()}`));
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: `Sign in with 127.0.0.1:${new URL(issuerUrl).port}` }).click();

    // The issuer's own pages: any login and password (oidc-provider's development interactions), then consent.
    await page.waitForURL(new RegExp(`^${issuerUrl}/interaction/`));
    const authorize = new URL(page.url());
    await page.locator('input[name=login]').fill('olivia');
    await page.locator('input[name=password]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(`${base}/`);
    await page.getByRole('heading', { level: 1, name: 'Alert inbox' }).waitFor();
    await expect(page.locator('.who').textContent()).resolves.toContain('Olivia OIDC · Safety officer');
    // The inbox read GET /alerts with the issuer's token, and the stream is open with it.
    await page.locator('[data-feed="live"]').waitFor();
    await expect(page.locator('.mode').count()).resolves.toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'oidc-signed-in.png') });
    expect(authorize.origin).toBe(issuerUrl);
    // Nothing of Vigil's failed on the way (the issuer's own pages are not ours to judge).
    expect(failed.filter((f) => f.includes(base))).toEqual([]);
  });
});
