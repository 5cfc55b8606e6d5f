import { cpus, loadavg, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

/** What the figures were measured on, for the README. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** File system of the data directory (ext4, xfs, tmpfs…): fsync costs differ by orders of magnitude. */
  fileSystem: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverage: number;
}

export function describeMachine(dataDir: string): Machine {
  let fileSystem = 'unknown';
  try {
    fileSystem = execFileSync('df', ['--output=fstype', dataDir], { encoding: 'utf8' }).trim().split('\n').pop() ?? fileSystem;
  } catch {
    // df is missing or does not know --output: leave it unknown.
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    fileSystem,
    loadAverage: Math.round(loadavg()[0] * 100) / 100,
  };
}
