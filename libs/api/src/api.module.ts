import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { VigilConfig } from './config';
import { HealthController } from './health/health.controller';
import { RulesController } from './rules/rules.controller';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { ReadYourWritesModule } from './http/read-your-writes';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { IdentityGuard } from './identity/identity.guard';
import { MeController } from './identity/me.controller';
import { PatientsModule } from './patients/patients.module';
import { VIGIL_CONFIG } from './vigil-config.token';

/** Commands and queries over HTTP. Needs an EventStoreModule from the application that hosts it. */
@Module({})
export class ApiModule {
  static forConfig(config: VigilConfig): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      // ReadYourWritesModule after AuthModule: its guard runs after the identity and access guards.
      imports: [CqrsModule.forRoot(), AuthModule.forConfig(config), PatientsModule, AuditModule, ReadYourWritesModule],
      controllers: [HealthController, RulesController, MeController],
      providers: [
        { provide: VIGIL_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: IdentityGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
      ],
      exports: [VIGIL_CONFIG],
    };
  }
}
