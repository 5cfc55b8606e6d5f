import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { IDENTITY } from '../identity/identity.guard';
import { AccessGuard } from './access.guard';
import { JwtConfig } from './jwt-config';
import { createJwtIdentity } from './jwt-identity';
import { SiteDirectory } from './site-directory';

/**
 * Identity and access: the verified JWT is the acting user (`IDENTITY`), and one global guard enforces
 * the permission matrix. Needs the EventStoreModule (site look-ups read patient and alert streams).
 */
@Module({})
export class AuthModule {
  static forConfig(config: { jwt: JwtConfig; dataDir: string }): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: IDENTITY, useFactory: () => createJwtIdentity(config.jwt, config.dataDir) },
        SiteDirectory,
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
      exports: [IDENTITY, SiteDirectory],
    };
  }
}
