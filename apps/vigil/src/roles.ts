import { Command, CommanderError } from 'commander';

/** What a `vigil` process does: answer HTTP, keep the read models and raise alerts, deliver alerts. */
export type VigilRole = 'api' | 'projector' | 'notifier';

export const ALL_ROLES: readonly VigilRole[] = ['api', 'projector', 'notifier'];

export class RolesConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolesConfigError';
  }
}

/** What `npm start -- …` (apps/vigil main) takes on its command line. */
export interface ServerArgs {
  /** `--demo`: load the demo cohort and offer its users in the console. */
  demo: boolean;
  /** `--roles api,projector`: over VIGIL_ROLES. */
  roles?: string;
}

/** Parses the server's command line (commander, as the `vigil` CLI): an unknown option or a `--roles` without its list is refused. */
export function serverArgs(args: readonly string[]): ServerArgs {
  const program = new Command('vigil')
    .option('--demo', 'load the demo cohort', false)
    .option('--roles <roles>', `roles of this node, comma-separated: ${ALL_ROLES.join(',')}`)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  try {
    program.parse([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.optionMissingArgument') {
      throw new RolesConfigError(`--roles needs a list of roles: ${ALL_ROLES.join(',')}`);
    }
    throw new RolesConfigError(error instanceof Error ? error.message.replace(/^error: /, '') : String(error));
  }
  return program.opts<ServerArgs>();
}

/**
 * The roles of this process: `--roles api,projector` on the command line, else VIGIL_ROLES, else all of
 * them (the embedded default). Any number of nodes may run each role: API replicas share the read models
 * in PostgreSQL; projector and notifier work is done by whichever node holds its lease (README "Several nodes").
 */
export function rolesFrom(env: NodeJS.ProcessEnv, args: readonly string[] = []): VigilRole[] {
  const flag = serverArgs(args).roles;
  const source = flag !== undefined ? '--roles' : 'VIGIL_ROLES';
  const raw = flag ?? env.VIGIL_ROLES;
  if (raw === undefined || raw.trim() === '') {
    if (flag !== undefined) throw new RolesConfigError(`--roles needs a list of roles: ${ALL_ROLES.join(',')}`);
    return [...ALL_ROLES];
  }
  const roles = raw.split(',').map((role) => role.trim());
  const unknown = roles.filter((role) => !ALL_ROLES.includes(role as VigilRole));
  if (unknown.length > 0) throw new RolesConfigError(`${source}=${raw}: ${unknown.map((r) => `"${r}"`).join(', ')} is not one of ${ALL_ROLES.join(', ')}`);
  return ALL_ROLES.filter((role) => roles.includes(role));
}
