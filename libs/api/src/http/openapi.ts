import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiPropertyOptions } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Permission, permissionFor, SITE_BOUND_ROLES } from '../auth/permissions';

/**
 * OpenAPI conventions (docs/openapi.md): a timestamp is `@ApiDateTime()`, every 2xx answer names a
 * response class, and security, 401 and 403 are not written per route: `withAccessControl` derives them
 * from the permission matrix, so the document cannot say something the guard does not do.
 */

/** The scheme name the document gives bearer tokens. */
export const BEARER = 'bearer';

/** An ISO-8601 UTC timestamp (`format: date-time`). */
export const ApiDateTime = (options: ApiPropertyOptions = {}) =>
  applyDecorators(ApiProperty({ type: String, format: 'date-time', example: '2026-03-10T07:30:00.000Z', ...options } as ApiPropertyOptions));
export const ApiDateTimeOptional = (options: ApiPropertyOptions = {}) =>
  applyDecorators(ApiPropertyOptional({ type: String, format: 'date-time', example: '2026-03-10T07:30:00.000Z', ...options } as ApiPropertyOptions));

export class FieldErrorResponse {
  @ApiProperty({ example: 'collectedAt' }) field: string;
  @ApiProperty({ example: 'must be an ISO-8601 timestamp with a time zone' }) reason: string;
}

/** Every error answer: `{statusCode, message, error?, errors?}` (errors name each offending field on 400). */
export class ErrorResponse {
  @ApiProperty({ example: 400 }) statusCode: number;
  @ApiProperty({ example: 'collectedAt must be an ISO-8601 timestamp with a time zone' }) message: string;
  @ApiPropertyOptional({ example: 'Bad Request' }) error?: string;
  @ApiPropertyOptional({ type: [FieldErrorResponse] }) errors?: FieldErrorResponse[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } };

function whoMay(permission: Exclude<Permission['roles'], 'public'>, site: Permission['site']): string {
  const siteBound = permission.filter((role) => SITE_BOUND_ROLES.includes(role));
  const atOwnSites = siteBound.length > 0 && site !== 'global' && site !== 'trial' ? ` (${siteBound.join(', ')}: own sites only)` : '';
  return `Roles: ${permission.join(', ')}${atOwnSites}.`;
}

/**
 * Declares each operation's security from the permission matrix: `security: []` for public routes,
 * the bearer scheme with 401 and 403 answers for every other one, and the roles allowed in its
 * description. A route the matrix does not know is refused to everyone (403) and said so.
 */
export function withAccessControl(document: OpenAPIObject): OpenAPIObject {
  document.components ??= {};
  document.components.securitySchemes = {
    ...document.components.securitySchemes,
    [BEARER]: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A Vigil token (embedded default) or the OIDC issuer’s access token' },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    const template = path.replace(/\{([^}]+)\}/g, ':$1');
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // The document writes a route's wildcard (`/console/*`) as `{path}`.
      const permission = permissionFor(method.toUpperCase(), template) ?? permissionFor(method.toUpperCase(), template.replace(/\/:path$/, '/*'));
      if (permission && !operation.summary) operation.summary = permission.does.charAt(0).toUpperCase() + permission.does.slice(1);
      if (permission?.roles === 'public') {
        operation.security = [];
        continue;
      }
      operation.security = [{ [BEARER]: [] }];
      operation.responses['401'] ??= { description: 'No token, or an expired, unsigned or wrongly signed one', content: errorContent };
      operation.responses['403'] ??= {
        description: permission
          ? 'A role that may not, or a record of another site: the roles that may are in the operation’s description'
          : 'Not in the permission matrix: refused to everyone',
        content: errorContent,
      };
      if (permission) operation.description = [operation.description, whoMay(permission.roles, permission.site)].filter(Boolean).join('\n\n');
    }
  }
  return document;
}

/**
 * Every 4xx answer carries the error body (ErrorResponse); an operation that takes a body or a query
 * string answers 400 naming the offending field (the global validation pipe), so it says so.
 */
export function withErrorAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const takesInput = operation.requestBody !== undefined || (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'query');
      if (takesInput) operation.responses['400'] ??= { description: 'Malformed input: each offending field is named with the reason' };
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status.startsWith('4') && response && !('$ref' in response) && !response.content) response.content = errorContent;
      }
    }
  }
  return document;
}
