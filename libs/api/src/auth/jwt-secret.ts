import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertStrongSecret, JwtConfigError } from './jwt-config';

export const JWT_SECRET_FILE = 'jwt-secret';

/**
 * The embedded default's HS256 secret: VIGIL_JWT_SECRET when set; otherwise `<dataDir>/jwt-secret`,
 * generated once (256 random bits, mode 0600) and read by every later start and by the CLI, so the
 * tokens `npm run vigil -- token` prints are the ones the server accepts.
 */
export function resolveJwtSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.VIGIL_JWT_SECRET !== undefined) {
    assertStrongSecret(env.VIGIL_JWT_SECRET, 'VIGIL_JWT_SECRET');
    return env.VIGIL_JWT_SECRET;
  }
  const file = join(dataDir, JWT_SECRET_FILE);
  const existing = readSecretFile(file);
  if (existing !== null) return existing;
  mkdirSync(dataDir, { recursive: true });
  try {
    // 'wx': when two processes start at once, one writes and the other reads what it wrote.
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const created = readSecretFile(file);
  if (created === null) throw new JwtConfigError(`could not create the JWT secret ${file}`);
  return created;
}

function readSecretFile(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // Whoever reads this file can mint an admin token.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    throw new JwtConfigError(`${file} is readable by other users: run chmod 600 on it (it signs every token)`);
  }
  const secret = text.trim();
  if (secret === '') return null;
  assertStrongSecret(secret, file);
  return secret;
}
