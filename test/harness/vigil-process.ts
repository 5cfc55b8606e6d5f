import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { issueToken } from '@vigil/api';
import { eventually } from './webhook-receiver';

const root = join(__dirname, '..', '..');

/** A free TCP port on the loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A Vigil service (`apps/<app>/src/main.ts`, TypeScript through swc) in a process of its own, so a test
 * can `kill -9` it like a power cut and start another on the same data directory.
 */
export class VigilProcess {
  private child?: ChildProcess;
  private output = '';
  /** The exit code, once the process has exited and its output pipes are drained (so `log` is whole). */
  private closed?: Promise<number | null>;

  constructor(
    private readonly app: 'vigil' | 'api',
    private readonly env: NodeJS.ProcessEnv,
    readonly port: number,
  ) {}

  async start(): Promise<void> {
    const main = join(root, 'apps', this.app, 'src', 'main.ts');
    this.child = spawn(process.execPath, ['-r', join(root, 'scripts', 'register-ts.js'), main], {
      env: { ...process.env, ...this.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const child = this.child;
    this.closed = new Promise((resolve) => child.once('close', (code) => resolve(code)));
    await eventually(
      () =>
        this.http()
          .get('/health')
          .then(
            (res) => res.status,
            () => 0,
          ),
      (status) => status === 200 || this.child?.exitCode !== null,
      30_000,
    );
    if (this.child.exitCode !== null) throw new Error(`vigil ${this.app} exited ${await this.closed}:\n${this.output}`);
  }

  http() {
    return request(`http://127.0.0.1:${this.port}`);
  }

  /** The process id, while it runs. */
  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  /** Resolves with the exit code once the process ended by itself (or was stopped) and all it wrote is in `log`. */
  exited(): Promise<number | null> {
    return this.closed ?? Promise.resolve(null);
  }

  /** Everything the process wrote to stdout and stderr so far. */
  get log(): string {
    return this.output;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await this.closed;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await this.closed;
  }
}

export const adminToken = (secret: string) => issueToken(secret, { sub: 'dev', name: 'Development user', role: 'admin', sites: [], expiresIn: '1h' });
