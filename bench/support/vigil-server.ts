import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { nowMs } from './stats';

/** A Vigil started as `npm start` starts it, in its own process: load and server do not share an event loop. */
export interface VigilServer {
  url: string;
  pid: number;
  dataDir: string;
  /** Milliseconds from spawn to the first answered /health. */
  startedInMs: number;
  logTail(lines?: number): string;
  /** SIGTERM (Nest closes the store), then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface StartOptions {
  dataDir: string;
  /** The script to run (dist/apps/vigil/apps/vigil/src/main.js), or a command such as ['npm', 'start']. */
  command: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** How often /health is asked while starting. */
  pollMs?: number;
}

const running = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export async function startVigil(options: StartOptions): Promise<VigilServer> {
  const port = await freePort();
  const logFile = join(options.dataDir, 'server.log');
  const log = openSync(logFile, 'a');
  const [command, ...args] = options.command;
  const started = nowMs();
  const child = spawn(command, args, {
    cwd: options.cwd,
    // Its own process group, so stopping `npm start` also stops the node it started.
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      ...options.env,
      PORT: String(port),
      VIGIL_DATA_DIR: options.dataDir,
    },
  });
  closeSync(log);
  running.add(child);
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return { code, signal };
  });
  const url = `http://127.0.0.1:${port}`;
  const logTail = (lines = 20) => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '');

  const deadline = started + (options.timeoutMs ?? 30_000);
  let exitedEarly: { code: number | null; signal: string | null } | undefined;
  void exited.then((how) => (exitedEarly = how));
  for (;;) {
    if (exitedEarly) throw new Error(`Vigil exited while starting (code ${exitedEarly.code}, signal ${exitedEarly.signal}):\n${logTail()}`);
    if (nowMs() > deadline) {
      await stopChild(child, exited);
      throw new Error(`Vigil did not answer /health within ${options.timeoutMs ?? 30_000} ms:\n${logTail()}`);
    }
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) {
        const startedInMs = nowMs() - started;
        await res.arrayBuffer();
        return { url, pid: child.pid as number, dataDir: options.dataDir, startedInMs, logTail, stop: () => stopChild(child, exited) };
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10));
  }
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const group = -(child.pid as number);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Stops every server this run started and that is still running (end of run, or a failed scenario). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, once(child, 'exit'))));
}

/** Kills every server still running, at once (the run is interrupted or exiting). */
export function killAllServers(): void {
  for (const child of running) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

process.on('exit', killAllServers);
