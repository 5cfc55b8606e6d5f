import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import {
  AlertNotFoundError,
  DomainError,
  EventAlreadyVoidedError,
  EventNotFoundError,
  PatientAlreadyEnrolledError,
  PatientNotFoundError,
  RuleViolationError,
  ValidationError,
} from '@vigil/domain';
import { CheckpointUnavailableError } from '@vigil/audit';
import { WrongExpectedVersionError } from '@vigil/event-store';
import { VersionMismatchError } from './version-mismatch.error';
import { databaseUnavailable, RETRY_AFTER_SECONDS } from './database-unavailable';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  errors?: { field: string; reason: string }[];
  [key: string]: unknown;
}

/** Domain errors map to HTTP here and only here (docs/architecture.md "NestJS at the edges"). */
export function httpErrorFor(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const body = typeof response === 'string' ? { message: response } : (response as Record<string, unknown>);
    const message = Array.isArray(body.message) ? body.message.join('; ') : String(body.message ?? exception.message);
    return { ...body, statusCode: exception.getStatus(), error: String(body.error ?? REASONS[exception.getStatus()] ?? exception.name), message };
  }
  const refusal = refusalBeforeNest(exception);
  if (refusal) return refusal;
  if (exception instanceof ValidationError) {
    return {
      statusCode: 400,
      error: 'Bad Request',
      code: exception.code,
      message: `${exception.field}: ${exception.reason}`,
      errors: [{ field: exception.field, reason: exception.reason }],
    };
  }
  if (exception instanceof PatientNotFoundError || exception instanceof AlertNotFoundError || exception instanceof EventNotFoundError) {
    return { statusCode: 404, error: 'Not Found', code: exception.code, message: exception.message };
  }
  if (exception instanceof PatientAlreadyEnrolledError) {
    return { statusCode: 409, error: 'Conflict', code: exception.code, message: exception.message };
  }
  if (exception instanceof WrongExpectedVersionError) {
    return { statusCode: 409, error: 'Conflict', code: exception.code, message: `the record changed meanwhile: ${exception.message}; reload it and try again` };
  }
  if (exception instanceof VersionMismatchError) {
    return { statusCode: 409, error: 'Conflict', code: exception.code, message: exception.message, currentVersion: exception.currentVersion };
  }
  if (exception instanceof RuleViolationError || exception instanceof EventAlreadyVoidedError || exception instanceof DomainError) {
    return { statusCode: 422, error: 'Unprocessable Entity', code: (exception as DomainError).code, message: exception.message };
  }
  if (exception instanceof CheckpointUnavailableError) {
    return { statusCode: 503, error: 'Service Unavailable', code: exception.code, message: exception.message };
  }
  if (databaseUnavailable(exception)) {
    return {
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'DATABASE_UNAVAILABLE',
      message: `the database cannot be reached right now: try again in ${RETRY_AFTER_SECONDS} s`,
    };
  }
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, error: 'Internal Server Error', message: 'internal error' };
}

@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const body = httpErrorFor(exception);
    if (body.statusCode === 503) this.logger.warn(`503: ${exception instanceof Error ? exception.message : String(exception)}`);
    else if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const reply = host.switchToHttp().getResponse<{ header(name: string, value: string): void; status(code: number): { send(body: unknown): void } }>();
    if (body.statusCode === 503) reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
    reply.status(body.statusCode).send(body);
  }
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * A refusal raised by Fastify before the route (a content parser: body too deep, malformed or poisoned
 * JSON; a rate limit): an error or object with a 4xx `statusCode`, and its own answer in `body` when it
 * has one (http/setup-http.ts).
 */
function refusalBeforeNest(exception: unknown): ErrorBody | null {
  if (typeof exception !== 'object' || exception === null) return null;
  const { statusCode, body, message, code } = exception as { statusCode?: unknown; body?: unknown; message?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode > 499) return null;
  if (body && typeof body === 'object') return { ...(body as ErrorBody), statusCode };
  return {
    statusCode,
    error: REASONS[statusCode] ?? 'Client Error',
    message: typeof message === 'string' ? message : 'refused',
    ...(typeof code === 'string' ? { code } : {}),
  };
}
