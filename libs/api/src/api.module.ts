import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { VigilConfig } from './config';
import { HealthController } from './health/health.controller';
import { RulesController } from './rules/rules.controller';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { ReadYourWritesInterceptor } from './http/read-your-writes.interceptor';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { IdentityGuard } from './identity/identity.guard';
import { PatientsModule } from './patients/patients.module';
import { VIGIL_CONFIG } from './vigil-config.token';

/** Commands and queries over HTTP. Needs an EventStoreModule from the application that hosts it. */
@Module({})
export class ApiModule {
  static forConfig(config: VigilConfig): DynamicModule {
    return {
      module: ApiModule,
      global: true,
      imports: [CqrsModule.forRoot(), AuthModule.forConfig(config), PatientsModule, AuditModule],
      controllers: [HealthController, RulesController],
      providers: [
        { provide: VIGIL_CONFIG, useValue: config },
        { provide: APP_GUARD, useClass: IdentityGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor },
      ],
      exports: [VIGIL_CONFIG],
    };
  }
}
