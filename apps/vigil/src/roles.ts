/** What a `vigil` process does: answer HTTP, keep the read models and raise alerts, deliver alerts. */
export type VigilRole = 'api' | 'projector' | 'notifier';

export const ALL_ROLES: readonly VigilRole[] = ['api', 'projector', 'notifier'];

export class RolesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolesConfigError';
  }
}

/**
 * The roles of this process: `--roles api,projector` on the command line, else VIGIL_ROLES, else all of
 * them (the embedded default). Any number of nodes may run each role: API replicas share the read models
 * in PostgreSQL; projector and notifier work is done by whichever node holds its lease (README "Several nodes").
 */
export function rolesFrom(env: NodeJS.ProcessEnv, args: readonly string[] = []): VigilRole[] {
  const flag = args.findIndex((arg) => arg === '--roles' || arg.startsWith('--roles='));
  const source = flag >= 0 ? '--roles' : 'VIGIL_ROLES';
  const raw = flag >= 0 ? (args[flag].includes('=') ? args[flag].slice('--roles='.length) : args[flag + 1]) : env.VIGIL_ROLES;
  if (raw === undefined || raw.trim() === '') {
    if (flag >= 0) throw new RolesConfigError(`--roles needs a list of roles: ${ALL_ROLES.join(',')}`);
    return [...ALL_ROLES];
  }
  const roles = raw.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !ALL_ROLES.includes(role as VigilRole));
  if (unknown.length > 0) throw new RolesConfigError(`${source}=${raw}: ${unknown.map((r) => `"${r}"`).join(', ')} is not one of ${ALL_ROLES.join(', ')}`);
  return ALL_ROLES.filter((role) => roles.includes(role));
}
