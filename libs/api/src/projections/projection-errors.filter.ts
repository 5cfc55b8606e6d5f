import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { RebuildAlreadyRunningError, UnknownProjectionError } from '@vigil/projections';

/** The projections' own errors in HTTP: an unknown read model is 404; a second rebuild of one is 409, naming the running job. */
@Catch(UnknownProjectionError, RebuildAlreadyRunningError)
export class ProjectionErrorsFilter implements ExceptionFilter {
  catch(exception: UnknownProjectionError | RebuildAlreadyRunningError, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status(code: number): { send(body: unknown): void } }>();
    if (exception instanceof UnknownProjectionError) {
      reply.status(404).send({ statusCode: 404, error: 'Not Found', code: exception.code, message: exception.message, projections: exception.known });
      return;
    }
    const job = exception.running ? { ...exception.running, projection: exception.projection } : null;
    reply.status(409).send({ statusCode: 409, error: 'Conflict', code: exception.code, message: exception.message, job });
  }
}
