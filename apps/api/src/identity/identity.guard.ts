import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Actor } from '@vigil/domain';
import { permissionFor } from '../auth/permissions';

export const IDENTITY = Symbol('IDENTITY');

/** Turns a request into the acting user (a verified bearer token: see auth/jwt-identity.ts). */
export interface IdentitySource {
  actorFor(headers: Record<string, string | string[] | undefined>): Promise<Actor>;
}

@Injectable()
export class IdentityGuard implements CanActivate {
  constructor(@Inject(IDENTITY) private readonly identity: IdentitySource) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ url: string; method: string; routeOptions?: { url?: string }; headers: Record<string, string>; actor?: Actor }>();
    if (request.url === '/health' || request.url.startsWith('/docs')) return true;
    const template = request.routeOptions?.url;
    if (template !== undefined && permissionFor(request.method, template)?.roles === 'public') return true;
    request.actor = await this.identity.actorFor(request.headers);
    return true;
  }
}
