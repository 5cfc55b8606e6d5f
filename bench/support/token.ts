import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { TRANSREG } from '@vigil/domain';

/** The HS256 secret the server child is given (VIGIL_JWT_SECRET): the benchmark mints tokens with it. */
export const benchJwtSecret = randomBytes(32).toString('base64url');

type IssueToken = (secret: string, request: { sub: string; name: string; role: string; sites: string[]; expiresIn?: string }) => Promise<string>;

/**
 * A bearer token for the benchmark's user (admin, every site), signed with `benchJwtSecret`.
 * Minted by the API's own `issueToken` (libs/api/src/auth, what `npm run vigil -- token` uses), so
 * the claims, issuer and audience are the ones the server checks; looked up at run time so the
 * benchmarks still run on a tree where auth has not landed.
 */
export async function mintBenchToken(benchDist: string): Promise<string> {
  let issueToken: IssueToken | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known at run time, in the compiled bench tree.
    issueToken = (require(join(benchDist, 'libs', 'api', 'src', 'auth')) as { issueToken?: IssueToken }).issueToken;
  } catch (error) {
    throw new Error(`the API asks for a token but libs/api/src/auth cannot be loaded: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (typeof issueToken !== 'function') throw new Error('the API asks for a token but libs/api/src/auth exports no issueToken(secret, claims)');
  return issueToken(benchJwtSecret, { sub: 'bench', name: 'Benchmark', role: 'admin', sites: TRANSREG.sites.map((site) => site.id), expiresIn: '2h' });
}
