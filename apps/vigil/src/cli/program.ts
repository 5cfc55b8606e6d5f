import { Command } from 'commander';
import { auditCommand } from './audit.command';
import { backupCommands } from './backup.command';
import { CliContext } from './cli-context';
import { permissionsCommand, rulesCommand } from './permissions.command';
import { projectionsCommand } from './projections.command';
import { tokenCommand } from './token.command';

/** Each command is a file of this folder; adding one (e.g. `projections rebuild`) is adding it here. */
const COMMANDS: ((context: CliContext) => Command | Command[])[] = [
  tokenCommand,
  auditCommand,
  permissionsCommand,
  rulesCommand,
  projectionsCommand,
  backupCommands,
];

export function vigilCli(context: CliContext): Command {
  const program = new Command('vigil')
    .description('Vigil: safety monitoring for clinical trials. Configured by the same environment as the server (VIGIL_DATA_DIR, VIGIL_EVENT_STORE…).')
    .configureOutput({ writeOut: context.out, writeErr: context.err })
    .exitOverride()
    .showHelpAfterError();
  for (const command of COMMANDS.flatMap((make) => make(context))) {
    program.addCommand(command.exitOverride().configureOutput({ writeOut: context.out, writeErr: context.err }));
  }
  return program;
}
