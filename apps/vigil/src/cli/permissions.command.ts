import { Command } from 'commander';
import { permissionMatrixMarkdown, ruleCatalogueMarkdown } from '@vigil/api';
import { CliContext } from './cli-context';

/** `vigil permissions`: who may call which route, as the Markdown table in the README. */
export function permissionsCommand(context: CliContext): Command {
  return new Command('permissions')
    .description('print the permission matrix (routes × roles) as Markdown')
    .action(() => context.out(permissionMatrixMarkdown()));
}

/** `vigil rules`: the rule catalogue (GET /rules), as the Markdown table in the README. */
export function rulesCommand(context: CliContext): Command {
  return new Command('rules').description('print the rule catalogue as Markdown').action(() => context.out(ruleCatalogueMarkdown()));
}
