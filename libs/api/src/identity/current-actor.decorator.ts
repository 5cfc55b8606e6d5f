import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Actor } from '@vigil/domain';

/** The verified user behind the request, set by the identity guard. Never read from the body. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const request = ctx.switchToHttp().getRequest<{ actor?: Actor }>();
  if (!request.actor) throw new Error('no actor on the request: is the identity guard installed?');
  return request.actor;
});
