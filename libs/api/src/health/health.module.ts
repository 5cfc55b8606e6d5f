import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** /health alone, for a node without the API role (a projector or notifier node): what its supervisor probes. */
@Module({ controllers: [HealthController] })
export class HealthModule {}
