import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJwtSecret } from './jwt-secret';

describe('resolveJwtSecret', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'vigil-secret-')), 'data');
  });
  afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

  it('generates a secret once, keeps it in <dataDir>/jwt-secret readable by its owner only, and returns the same one after', () => {
    const first = resolveJwtSecret(dataDir, {});
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(dataDir, 'jwt-secret');
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret(dataDir, {})).toBe(first);
  });

  it('uses VIGIL_JWT_SECRET when set, and writes no file', () => {
    const secret = 's'.repeat(40);
    expect(resolveJwtSecret(dataDir, { VIGIL_JWT_SECRET: secret })).toBe(secret);
    expect(() => statSync(join(dataDir, 'jwt-secret'))).toThrow();
  });

  it('refuses a VIGIL_JWT_SECRET too short for HS256', () => {
    expect(() => resolveJwtSecret(dataDir, { VIGIL_JWT_SECRET: 'password' })).toThrow(/at least 32 characters/);
  });

  it('refuses a secret file other users can read', () => {
    resolveJwtSecret(dataDir, {});
    chmodSync(join(dataDir, 'jwt-secret'), 0o644);
    expect(() => resolveJwtSecret(dataDir, {})).toThrow(/chmod 600/);
  });

  it('refuses a secret file holding a weak secret', () => {
    resolveJwtSecret(dataDir, {});
    writeFileSync(join(dataDir, 'jwt-secret'), 'short\n', { mode: 0o600 });
    expect(() => resolveJwtSecret(dataDir, {})).toThrow(/at least 32 characters/);
  });
});
