import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** The sites whose records a request may see: every site, or the listed ones (set by the access guard). */
export type SiteScope = readonly string[] | 'all';

/** Whether a record of `siteId` is inside the scope: list endpoints filter their rows with it. */
export function inSiteScope(scope: SiteScope, siteId: string | null | undefined): boolean {
  return scope === 'all' || (typeof siteId === 'string' && scope.includes(siteId));
}

/**
 * `@CurrentSiteScope() scope: SiteScope` in a list handler. Without a scope on the request (the
 * access guard did not run) it fails closed: an empty scope shows nothing.
 */
export const CurrentSiteScope = createParamDecorator((_: unknown, ctx: ExecutionContext): SiteScope => {
  return ctx.switchToHttp().getRequest<{ siteScope?: SiteScope }>().siteScope ?? [];
});
