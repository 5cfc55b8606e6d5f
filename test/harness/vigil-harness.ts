import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createVigilApp, VigilAppOptions } from '../../apps/vigil/src/bootstrap';

/** A Vigil on the embedded store in a fresh data directory, driven over real HTTP. */
export interface VigilHarness {
  app: NestFastifyApplication;
  dataDir: string;
  http: () => ReturnType<typeof request>;
  /** Stops the app and starts a new one on the same data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startVigil(options: VigilAppOptions = {}): Promise<VigilHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const boot = () => createVigilApp({ logger: false, ...options, config: { dataDir, ...options.config } });
  let app = await boot();
  const harness: VigilHarness = {
    get app() {
      return app;
    },
    dataDir,
    http: () => request(app.getHttpServer()),
    async restart() {
      await app.close();
      app = await boot();
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A valid enrolment body, with overrides. */
export function enrolment(overrides: Record<string, unknown> = {}) {
  return { patientId: 'TR-SAT-001', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 65, enrolledAt: '2026-01-05T09:00:00Z', ...overrides };
}

export const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString();
