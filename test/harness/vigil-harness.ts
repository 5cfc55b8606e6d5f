import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import type { Role } from '@vigil/domain';
import { createVigilApp, VigilAppOptions } from '../../apps/vigil/src/bootstrap';
import { EMBEDDED_AUDIENCE, EMBEDDED_ISSUER, issueToken, resolveJwtSecret } from '@vigil/api';
import { loadSigningKey } from '@vigil/audit';
import { EVENT_STORE, type EventStore } from '@vigil/event-store';
import { ReadModelProgress } from '@vigil/projections';

type Agent = ReturnType<typeof request.agent>;

/** Who a request acts as: a role, the sites in the token, and optionally the user's id and name. */
export interface TokenHolder {
  role: Role;
  sites?: string[];
  sub?: string;
  name?: string;
}

/** A Vigil on the embedded store in a fresh data directory, driven over real HTTP. */
export interface VigilHarness {
  app: NestFastifyApplication;
  dataDir: string;
  /** Requests as the default user: an admin (`dev`, "Development user") at every site. */
  http: () => Agent;
  /** Requests as someone else: `vigil.as('investigator', ['SAT']).post(…)`. */
  as: (role: Role, sites?: string[], user?: { sub?: string; name?: string }) => Agent;
  /** Requests with no Authorization header at all. */
  anonymous: () => ReturnType<typeof request>;
  /** A token minted as `npm run vigil -- token` does (signed with the data directory's secret). */
  token: (holder: TokenHolder, expiresIn?: string) => Promise<string>;
  /** Waits until the read models and reactors cover the head of the log (and what they appended for it: alerts). */
  settled(): Promise<void>;
  /** Stops the app and starts a new one on the same data directory (running `whileStopped` in between). */
  restart(whileStopped?: () => void | Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_USER = { sub: 'dev', name: 'Development user', role: 'admin' as Role, sites: [] as string[] };

let postgresSchemas = 0;

/**
 * VIGIL_E2E_STORE=postgres runs the acceptance specs against PostgreSQL (VIGIL_POSTGRES_URL, default the
 * local service): events, read models, outbox and leases in a schema of the harness's own, dropped on close.
 */
function e2eStoreEnv(dataDir: string): { env: NodeJS.ProcessEnv; drop?: () => Promise<void> } {
  if (process.env.VIGIL_E2E_STORE !== 'postgres') return { env: {} };
  const url = process.env.VIGIL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `e2e_${process.pid}_${Date.now().toString(36)}_${++postgresSchemas}`;
  const drop = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP SCHEMA IF EXISTS ${schema}_read CASCADE`);
    } finally {
      await client.end();
    }
  };
  // As a production node: the signing key mounted as a file (on PostgreSQL Vigil generates none, and signs nothing without it).
  const key = join(dataDir, 'mounted', 'audit-signing-key.pem');
  loadSigningKey(key, { generate: true });
  return { env: { VIGIL_EVENT_STORE: 'postgres', VIGIL_POSTGRES_URL: url, VIGIL_POSTGRES_SCHEMA: schema, VIGIL_AUDIT_SIGNING_KEY_FILE: key }, drop };
}

export async function startVigil(options: VigilAppOptions = {}): Promise<VigilHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
  const onStore = options.store ? { env: {} } : e2eStoreEnv(dataDir);
  options = { ...options, env: { ...onStore.env, ...options.env } };
  // The server resolves the same secret from the same data directory (generated once, kept in <dataDir>/jwt-secret).
  const secret = resolveJwtSecret(dataDir, { ...process.env, ...options.env });
  const boot = () => createVigilApp({ logger: false, ...options, config: { dataDir, ...options.config } });
  let app = await boot();
  const token = (holder: TokenHolder, expiresIn = '1h') =>
    issueToken(secret, {
      sub: holder.sub ?? `${holder.role}-user`,
      name: holder.name ?? `A ${holder.role}`,
      role: holder.role,
      sites: holder.sites ?? [],
      expiresIn,
    });
  const defaultToken = await token(DEFAULT_USER, '12h');
  const holderOf = (role: Role, sites: string[], user: { sub?: string; name?: string }): TokenHolder => ({ role, sites, ...user });
  const agentWith = (bearer: string) => request.agent(app.getHttpServer()).set('Authorization', `Bearer ${bearer}`);
  const harness: VigilHarness = {
    get app() {
      return app;
    },
    dataDir,
    http: () => agentWith(defaultToken),
    as: (role, sites = [], user = {}) => agentWith(signedNow(secret, holderOf(role, sites, user))),
    anonymous: () => request(app.getHttpServer()),
    token,
    async settled() {
      await app.get(ReadModelProgress).waitForPosition(await app.get<symbol, EventStore>(EVENT_STORE).headPosition());
    },
    async restart(whileStopped) {
      await app.close();
      await whileStopped?.();
      app = await boot();
    },
    async close() {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
      await onStore.drop?.();
    },
  };
  return harness;
}

/**
 * The same claims as `issueToken`, HS256-signed synchronously (node:crypto) so that `as(…)` chains:
 * `vigil.as('monitor').get(…)`. The server verifies it like any other token.
 */
function signedNow(secret: string, holder: TokenHolder): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    name: holder.name ?? `A ${holder.role}`,
    role: holder.role,
    sites: holder.sites ?? [],
    sub: holder.sub ?? `${holder.role}-user`,
    iss: EMBEDDED_ISSUER,
    aud: EMBEDDED_AUDIENCE,
    iat: now,
    jti: randomUUID(),
    exp: now + 3600,
  };
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** A valid enrolment body, with overrides. */
export function enrolment(overrides: Record<string, unknown> = {}) {
  return { patientId: 'TR-SAT-001', siteId: 'SAT', disease: 'RA', sex: 'F', birthYear: 1970, weightKg: 65, enrolledAt: '2026-01-05T09:00:00Z', ...overrides };
}

export const daysAgo = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString();

/** Enrols a patient over HTTP as the default user (a valid enrolment with `overrides`), expecting 201. */
export async function enrol(vigil: VigilHarness, overrides: Record<string, unknown> = {}): Promise<void> {
  await vigil.http().post('/patients').send(enrolment(overrides)).expect(201);
}

/** Records a platelet count (10⁹/L) over HTTP as the default user, expecting 201; answers the recorded event id and version. */
export async function recordPlatelets(
  vigil: VigilHarness,
  patientId: string,
  value: number,
  collectedAt = daysAgo(1),
): Promise<{ eventId: string; version: number }> {
  const res = await vigil.http().post(`/patients/${patientId}/lab-results`).send({ test: 'PLAT', value, unit: '10*9/L', collectedAt }).expect(201);
  return res.body as { eventId: string; version: number };
}
