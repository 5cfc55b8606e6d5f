import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@vigil/domain';
import { IDENTITY, IdentitySource } from '../identity/identity.guard';
import { Permission, permissionFor, roleMay, routeKey, SITE_BOUND_ROLES } from './permissions';
import { SiteDirectory } from './site-directory';
import { SiteScope } from './site-scope';

/** What the guard reads of a Fastify request. */
interface GuardedRequest {
  method: string;
  routeOptions?: { url?: string };
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  body?: unknown;
  actor?: Actor;
  siteScope?: SiteScope;
}

/**
 * Enforces the permission matrix (permissions.ts) on every route, failing closed: a route the matrix
 * does not list, a role it does not allow, or a record of another site is refused with 403 before the
 * handler runs, so nothing is recorded. List endpoints get `request.siteScope` to filter by.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(IDENTITY) private readonly identity: IdentitySource,
    private readonly sites: SiteDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const template = request.routeOptions?.url;
    const permission = template === undefined ? undefined : permissionFor(request.method, template);
    const route = routeKey(request.method, template ?? '(unknown route)');
    if (!permission) throw forbidden(`${route} is not in Vigil's permission matrix, so no one may call it`);
    if (permission.roles === 'public') return true;

    // The identity guard normally ran first; if not, authenticate here rather than let anyone through.
    const actor = request.actor ?? (request.actor = await this.identity.actorFor(request.headers));
    if (!roleMay(actor.role, permission)) throw forbidden(`a ${actor.role} may not ${permission.does} (${route})`);
    if (!SITE_BOUND_ROLES.includes(actor.role)) {
      request.siteScope = 'all';
      return true;
    }
    request.siteScope = actor.sites;
    await this.checkSite(actor, permission, request, route);
    return true;
  }

  private async checkSite(actor: Actor, permission: Permission, request: GuardedRequest, route: string): Promise<void> {
    switch (permission.site) {
      case 'list':
      case 'trial':
      case 'self':
        return;
      case 'global':
        throw forbidden(`${route} concerns every site; a ${actor.role} works at ${describeSites(actor)} only`);
      case 'body': {
        const siteId = (request.body as { siteId?: unknown } | undefined)?.siteId;
        // Not a site id at all: body validation refuses it with 400, and nothing is recorded.
        if (typeof siteId !== 'string') return;
        return this.requireSite(actor, siteId, `site ${siteId}`);
      }
      case 'patient': {
        const patientId = request.params?.patientId;
        const siteId = patientId === undefined ? null : await this.sites.ofPatient(patientId);
        // An unknown patient: the handler answers 404 and records nothing.
        if (siteId === null) return;
        return this.requireSite(actor, siteId, `patient ${patientId} of site ${siteId}`);
      }
      case 'alert': {
        const alertId = request.params?.alertId;
        const siteId = alertId === undefined ? null : await this.sites.ofAlert(alertId);
        if (siteId === null) return;
        return this.requireSite(actor, siteId, `alert ${alertId} of site ${siteId}`);
      }
    }
  }

  private requireSite(actor: Actor, siteId: string, what: string): void {
    if (!actor.sites.includes(siteId)) throw forbidden(`${what} is outside your sites (${describeSites(actor)})`);
  }
}

function describeSites(actor: Actor): string {
  return actor.sites.length === 0 ? 'no site' : actor.sites.join(', ');
}

function forbidden(message: string): ForbiddenException {
  return new ForbiddenException({ statusCode: 403, error: 'Forbidden', message });
}
