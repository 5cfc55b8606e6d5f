import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponse, withAccessControl, withErrorAnswers } from './openapi';
import { vigilValidationPipe } from './validation';

/** Vigil's OpenAPI document, as served at /docs/json (conventions: docs/openapi.md). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Vigil')
      .setDescription('Event-sourced safety monitoring for clinical trials (TRANSREG: low-dose IL-2)')
      .setVersion('0.1.0')
      .setLicense('UNLICENSED', '')
      .addServer('/', 'This Vigil')
      .addBearerAuth()
      .build(),
    { extraModels: [ErrorResponse] },
  );
  return withErrorAnswers(withAccessControl(document));
}

/** What every Vigil HTTP application shares: validation of every body, and the OpenAPI document at /docs. */
export function setupHttp(app: INestApplication): void {
  app.useGlobalPipes(vigilValidationPipe());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs/json' });
}
