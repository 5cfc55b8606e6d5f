import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import type { Actor } from '@vigil/domain';
import { createSqliteEventStore, EventStore } from '@vigil/event-store';
import type { IdentitySource } from '../identity/identity.guard';
import { AccessGuard } from './access.guard';
import { SiteDirectory } from './site-directory';
import type { SiteScope } from './site-scope';

const investigatorAtSat: Actor = { userId: 'u-1', name: 'Dr Ann', role: 'investigator', sites: ['SAT'] };
const monitor: Actor = { userId: 'u-2', name: 'Mo', role: 'monitor', sites: [] };

interface FakeRequest {
  method: string;
  routeOptions: { url?: string };
  headers: Record<string, string>;
  params: Record<string, string>;
  body?: unknown;
  actor?: Actor;
  siteScope?: SiteScope;
}

const http = (request: FakeRequest) => ({ getType: () => 'http', switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

const request = (method: string, url: string | undefined, actor: Actor | undefined, extra: Partial<FakeRequest> = {}): FakeRequest => ({
  method,
  routeOptions: { url },
  headers: {},
  params: {},
  actor,
  ...extra,
});

describe('AccessGuard', () => {
  let store: EventStore;
  let guard: AccessGuard;
  const identity: IdentitySource = { actorFor: async () => investigatorAtSat };

  beforeEach(async () => {
    store = await createSqliteEventStore({ file: ':memory:' });
    const metadata = { userId: 'u-9', role: 'investigator', occurredAt: '2026-01-05T09:00:00Z', correlationId: 'c-1' };
    await store.append('patient-TR-PSL-002', [{ type: 'PatientEnrolled', schemaVersion: 1, data: { patientId: 'TR-PSL-002', siteId: 'PSL' }, metadata }], {
      expectedVersion: 0,
    });
    guard = new AccessGuard(identity, new SiteDirectory(store));
  });
  afterEach(() => store.close());

  it("scopes an investigator's list request to the sites of the token", async () => {
    const listing = request('GET', '/alerts', investigatorAtSat);
    await expect(guard.canActivate(http(listing))).resolves.toBe(true);
    expect(listing.siteScope).toEqual(['SAT']);
  });

  it('scopes a trial-wide role to every site', async () => {
    const listing = request('GET', '/alerts', monitor);
    await guard.canActivate(http(listing));
    expect(listing.siteScope).toBe('all');
  });

  it("refuses an investigator another site's patient, and lets an unknown patient through to the handler's 404", async () => {
    await expect(guard.canActivate(http(request('GET', '/patients/:patientId', investigatorAtSat, { params: { patientId: 'TR-PSL-002' } })))).rejects.toThrow(
      ForbiddenException,
    );
    await expect(guard.canActivate(http(request('GET', '/patients/:patientId', investigatorAtSat, { params: { patientId: 'TR-SAT-404' } })))).resolves.toBe(
      true,
    );
  });

  it('refuses a route the matrix does not list, whoever asks', async () => {
    await expect(guard.canActivate(http(request('DELETE', '/patients/:patientId', { ...monitor, role: 'admin' })))).rejects.toThrow(
      /not in Vigil's permission matrix/,
    );
    await expect(guard.canActivate(http(request('GET', undefined, monitor)))).rejects.toThrow(ForbiddenException);
  });

  it('authenticates on its own when the identity guard has not run first', async () => {
    const unauthenticated = request('GET', '/patients/:patientId', undefined, { params: { patientId: 'TR-SAT-001' } });
    await guard.canActivate(http(unauthenticated));
    expect(unauthenticated.actor).toEqual(investigatorAtSat);
  });

  it('lets /health through without asking who is there', async () => {
    const health = request('GET', '/health', undefined);
    await expect(guard.canActivate(http(health))).resolves.toBe(true);
    expect(health.actor).toBeUndefined();
  });
});
