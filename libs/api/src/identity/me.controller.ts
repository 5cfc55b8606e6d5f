import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ROLES, type Actor, type Role } from '@vigil/domain';
import { CurrentActor } from './current-actor.decorator';

class SignedInUserResponse implements Actor {
  @ApiProperty({ description: "The token's `sub`" }) userId: string;
  @ApiProperty({ description: "The token's `name` (or `preferred_username`, or `sub`)" }) name: string;
  @ApiProperty({ enum: ROLES, description: 'Read at VIGIL_JWT_ROLE_CLAIM' }) role: Role;
  @ApiProperty({ type: [String], description: 'Read at VIGIL_JWT_SITES_CLAIM' }) sites: string[];
}

/**
 * `GET /me`: the signed-in user as Vigil reads the token (role and sites at the claims the deployment
 * names, e.g. Keycloak's `realm_access.roles`). The console asks this instead of reading the claims itself,
 * so it shows the user what the API will enforce.
 */
@ApiTags('identity')
@Controller('me')
export class MeController {
  @Get()
  @ApiOkResponse({ type: SignedInUserResponse, description: 'Who the token names, their role and sites' })
  me(@CurrentActor() actor: Actor): SignedInUserResponse {
    return { userId: actor.userId, name: actor.name, role: actor.role, sites: [...actor.sites] };
  }
}
