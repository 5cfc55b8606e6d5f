#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliContext, processContext } from './cli/cli-context';
import { vigilCli } from './cli/program';

/** Runs the CLI on `argv` (as process.argv: node, script, args…) and returns the exit code. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  try {
    await vigilCli(context).parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? 0 : error.exitCode || 2;
    context.err(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
