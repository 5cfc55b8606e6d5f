/** What a CLI command may touch: its output streams, the environment, and the exit code it sets. */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where a progress bar may be drawn (an interactive stderr), or null for none. */
  progressStream: NodeJS.WritableStream | null;
  /** 0 unless a command says otherwise. */
  exitCode: number;
}

export function processContext(): CliContext {
  return {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progressStream: process.stderr.isTTY ? process.stderr : null,
    exitCode: 0,
  };
}
