import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Post, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken, resolveJwtSecret, VIGIL_CONFIG, type VigilConfig } from '@vigil/api';
import { ROLES } from '@vigil/domain';
import { isAssetPath } from './console-files';
import { DEMO_USERS } from './demo-users';

export const CONSOLE_OPTIONS = Symbol('CONSOLE_OPTIONS');

export interface ConsoleOptions {
  /** The build to serve (index.html and assets/). */
  directory: string;
  /** `npm start -- --demo`: the sign-in page offers the demo users. */
  demo: boolean;
  /** OIDC client id of the console (VIGIL_CONSOLE_CLIENT_ID), in production. */
  clientId?: string;
  env: NodeJS.ProcessEnv;
}

class DemoUserResponse {
  @ApiProperty() userId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ROLES }) role: string;
  @ApiProperty({ type: [String] }) sites: string[];
  @ApiProperty() works: string;
}

class ConsoleConfigResponse {
  @ApiProperty({ enum: ['embedded', 'oidc'], description: 'embedded: tokens minted by this Vigil; oidc: sign in at the issuer' }) mode: string;
  @ApiProperty({ description: 'Started with --demo: demo users may sign in without a password' }) demo: boolean;
  @ApiPropertyOptional({ description: 'OIDC issuer (VIGIL_JWT_ISSUER)' }) issuer?: string;
  @ApiPropertyOptional({ description: 'OIDC client id of the console (VIGIL_CONSOLE_CLIENT_ID)' }) clientId?: string;
  @ApiPropertyOptional({ description: 'Audience Vigil requires (VIGIL_JWT_AUDIENCE), asked for as the resource (RFC 8707)' }) audience?: string;
  @ApiPropertyOptional({ type: [DemoUserResponse] }) demoUsers?: DemoUserResponse[];
}

class DemoSignInDto {
  @ApiProperty({ example: 'demo-safety-officer' })
  @IsString()
  @Length(1, 64)
  userId: string;
}

class DemoSignInResponse {
  @ApiProperty({ description: 'A bearer token for the demo user (8 h)' }) token: string;
  @ApiProperty({ type: DemoUserResponse }) user: DemoUserResponse;
}

/**
 * The browser console (apps/console), served by Vigil itself: its page at `/`, its files under
 * `/console/`, and what the page needs to sign in. Public routes: the data behind them is not.
 */
@ApiTags('console')
@Controller()
export class ConsoleController {
  constructor(
    @Inject(CONSOLE_OPTIONS) private readonly options: ConsoleOptions,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  @Get()
  @ApiProduces('text/html')
  @ApiOkResponse({ schema: { type: 'string' }, description: "The console's page" })
  index(@Res() reply: FastifyReply): FastifyReply {
    if (!existsSync(join(this.options.directory, 'index.html'))) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The console is not built (${this.options.directory}): run npm run build:console, or npm start, which builds it.`);
    }
    return reply
      .header('Content-Security-Policy', this.contentSecurityPolicy())
      .sendFile('index.html', this.options.directory, { maxAge: 0, immutable: false });
  }

  @Get('console/config')
  @ApiOkResponse({ type: ConsoleConfigResponse, description: 'How the console signs in here' })
  consoleConfig(): ConsoleConfigResponse {
    const { jwt } = this.config;
    if (jwt.mode === 'oidc') return { mode: 'oidc', demo: false, issuer: jwt.issuer, audience: jwt.audience, clientId: this.options.clientId };
    return { mode: 'embedded', demo: this.options.demo, ...(this.options.demo ? { demoUsers: DEMO_USERS.map((user) => ({ ...user })) } : {}) };
  }

  @Post('console/demo-sign-in')
  @HttpCode(200)
  @ApiOkResponse({ type: DemoSignInResponse, description: 'A token for a demo user (only when started with --demo, embedded tokens)' })
  async demoSignIn(@Body() body: DemoSignInDto): Promise<DemoSignInResponse> {
    if (!this.options.demo || this.config.jwt.mode !== 'embedded')
      throw new NotFoundException('demo users exist only when Vigil runs with --demo (embedded mode)');
    const user = DEMO_USERS.find((candidate) => candidate.userId === body.userId);
    if (!user) throw new NotFoundException(`no demo user ${body.userId}`);
    const secret = this.config.jwt.secret ?? resolveJwtSecret(this.config.dataDir, this.options.env);
    const token = await issueToken(secret, { sub: user.userId, name: user.name, role: user.role, sites: [...user.sites], expiresIn: '8h' });
    return { token, user: { ...user, sites: [...user.sites] } };
  }

  @Get('console/*')
  @ApiParam({ name: 'path', description: 'A file of the build, e.g. assets/index-<hash>.js', schema: { type: 'string' } })
  @ApiProduces('application/javascript', 'text/css', 'image/png')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' }, description: 'The file; files under assets/ are named by content hash and cached for good' })
  @ApiNotFoundResponse({ description: 'No such file' })
  asset(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const path = (request.params as Record<string, string | undefined>)['*'] ?? '';
    if (!isAssetPath(path) || !existsSync(join(this.options.directory, path))) throw new NotFoundException(`no console file ${path}`);
    // Files under assets/ carry their content hash in their name: cached for good.
    const hashed = path.startsWith('assets/');
    return reply.sendFile(path, this.options.directory, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0, immutable: false });
  }

  /** Scripts and styles of this origin only; API calls to this origin and, in production, the OIDC issuer. */
  private contentSecurityPolicy(): string {
    const issuer = this.config.jwt.mode === 'oidc' ? ` ${new URL(this.config.jwt.issuer).origin}` : '';
    return [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data: blob:",
      `connect-src 'self'${issuer}`,
      "object-src 'none'",
      "base-uri 'self'",
      "frame-ancestors 'none'",
    ].join('; ');
  }
}
