import { Command, InvalidArgumentError, Option } from 'commander';
import { configFromEnv, issueToken, jwtConfigFromEnv, resolveJwtSecret } from '@vigil/api';
import { Role, ROLES, SITE_ID, SITE_ID_RULE } from '@vigil/domain';
import { CliContext } from './cli-context';

const siteList = (value: string): string[] => {
  const sites = value
    .split(',')
    .map((site) => site.trim())
    .filter(Boolean);
  if (sites.some((site) => !SITE_ID.test(site))) throw new InvalidArgumentError(`sites are site ids (${SITE_ID_RULE}), comma-separated: SAT,PSL`);
  return sites;
};

/** `vigil token --sub … --name … --role … --sites A,B [--expires 8h]`: a bearer token for the embedded default. */
export function tokenCommand(context: CliContext): Command {
  return new Command('token')
    .description('print a bearer token the embedded Vigil accepts (signed with its secret in VIGIL_DATA_DIR, or VIGIL_JWT_SECRET)')
    .requiredOption('--sub <userId>', 'user id, recorded on every event the user causes')
    .requiredOption('--name <name>', "user's full name, shown in the audit trail")
    .addOption(new Option('--role <role>', 'role').choices([...ROLES]).makeOptionMandatory())
    .option('--sites <ids>', 'comma-separated site ids the user works at (investigators see only these)', siteList, [] as string[])
    .option('--expires <lifetime>', 'lifetime: 30m, 8h, 7d…', '8h')
    .action(async (options: { sub: string; name: string; role: Role; sites: string[]; expires: string }) => {
      if (jwtConfigFromEnv(context.env).mode === 'oidc') {
        context.err('VIGIL_JWT_JWKS_URL is set: tokens come from your identity provider, not from this command.\n');
        context.exitCode = 2;
        return;
      }
      if (options.role === 'investigator' && options.sites.length === 0) {
        context.err('note: an investigator without --sites can see and record nothing.\n');
      }
      const secret = resolveJwtSecret(configFromEnv(context.env).dataDir, context.env);
      const token = await issueToken(secret, { sub: options.sub, name: options.name, role: options.role, sites: options.sites, expiresIn: options.expires });
      context.out(`${token}\n`);
    });
}
