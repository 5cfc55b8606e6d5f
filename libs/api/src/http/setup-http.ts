import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { vigilValidationPipe } from './validation';

/** What every Vigil HTTP application shares: validation of every body, and the OpenAPI document at /docs. */
export function setupHttp(app: INestApplication): void {
  app.useGlobalPipes(vigilValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Vigil')
      .setDescription('Event-sourced safety monitoring for clinical trials (TRANSREG: low-dose IL-2)')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
}
