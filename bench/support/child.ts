import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext } from '../scenario';

export interface ChildOutcome<T> {
  /** The last JSON line the child printed (its result, or its last progress report when stopped). */
  last: T;
  /** True when the child was stopped at the end of its time budget. */
  stopped: boolean;
}

/**
 * Runs one of bench/children/*.ts (transpiled) in its own process, so its memory peak is its own.
 * The child prints JSON lines (progress, then its result); with `budgetMs`, it is stopped when the
 * budget runs out and the last line it printed is what it got to.
 */
export async function runChild<T>(bench: BenchContext, name: string, args: string[], budgetMs?: number): Promise<ChildOutcome<T>> {
  const script = join(bench.paths.benchDist, 'bench', 'children', `${name}.js`);
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let stopped = false;
  const timer =
    budgetMs === undefined
      ? undefined
      : setTimeout(() => {
          stopped = true;
          child.kill('SIGKILL');
        }, budgetMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': the result line may still be in the pipe when the process exits.
    child.on('close', (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
  if (code !== 0 && !stopped) throw new Error(`bench/children/${name} exited with ${code}:\n${stderr.trim().split('\n').slice(-15).join('\n')}`);
  if (lines.length === 0) throw new Error(`bench/children/${name} printed no result${stopped ? ` within ${budgetMs} ms` : ''}: ${stderr.slice(-300)}`);
  return { last: JSON.parse(lines[lines.length - 1]) as T, stopped };
}
