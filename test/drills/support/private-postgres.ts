import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian keeps PostgreSQL's server programs (initdb, pg_ctl), if anywhere. */
function serverBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl')));
}

/** Why a private cluster cannot be had here, or undefined when it can (initdb and pg_ctl refuse root: they run as `postgres`). */
export function privatePostgresUnavailable(): string | undefined {
  if (!serverBin()) return 'no initdb/pg_ctl under /usr/lib/postgresql';
  if (process.getuid?.() !== 0) return 'runuser -u postgres needs root';
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    return 'no postgres user';
  }
  return undefined;
}

/** A PostgreSQL cluster of the test's own, in a temp directory, on a port it chooses: a drill may stop and restart it. */
export class PrivatePostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  private readonly bin = serverBin() as string;

  constructor(readonly port: number) {
    chownSync(this.dir, uid('postgres'), gid('postgres'));
    chmodSync(this.dir, 0o700);
    this.asPostgres('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private get data(): string {
    return join(this.dir, 'data');
  }

  start(): void {
    this.asPostgres('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      'start',
    ]);
  }

  /** A fast shutdown: every connection is cut, nothing acknowledged is lost (it is on disk). */
  stop(): void {
    this.asPostgres('pg_ctl', ['-D', this.data, '-w', '-m', 'fast', 'stop']);
  }

  destroy(): void {
    try {
      this.asPostgres('pg_ctl', ['-D', this.data, '-w', '-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private asPostgres(program: string, args: string[]): void {
    execFileSync('runuser', ['-u', 'postgres', '--', join(this.bin, program), ...args], { stdio: 'pipe', cwd: '/' });
  }
}

const uid = (user: string) => Number(execFileSync('id', ['-u', user]).toString().trim());
const gid = (user: string) => Number(execFileSync('id', ['-g', user]).toString().trim());
