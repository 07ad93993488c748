import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { unavailableDependency, unavailableMessage } from './dependency-errors';

/** Seconds a client is told to wait after a 503 caused by an unreachable Redis or database. */
const RETRY_AFTER_SECONDS = 5;

/**
 * Every error leaves as `{"error": "..."}`. HTTP exceptions keep their status and message; an unreachable Redis or
 * PostgreSQL is a 503 naming it (with Retry-After); anything else unexpected is a 500 with an `errorId` that also
 * appears in the log line, never a dropped connection.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      res
        .status(status)
        .type('application/json')
        .json(isWireError(body) ? body : { error: messageOf(body, exception) });
      return;
    }
    const errorId = randomUUID();
    const dependency = unavailableDependency(exception);
    if (dependency) {
      this.logger.warn({ errorId, dependency, err: String(exception) }, `${dependency} unavailable`);
      res
        .status(HttpStatus.SERVICE_UNAVAILABLE)
        .setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
        .type('application/json')
        .json({ error: unavailableMessage(dependency), errorId });
      return;
    }
    this.logger.error({ errorId, err: exception }, 'unhandled error');
    res
      .status(HttpStatus.INTERNAL_SERVER_ERROR)
      .type('application/json')
      .json({ error: 'Internal server error', errorId });
  }
}

function messageOf(body: string | object, exception: HttpException): string {
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** A body a handler already shaped as `{"error": "...", ...}` (e.g. with `inUse: true`) goes out unchanged. */
function isWireError(body: string | object): boolean {
  return typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' && !('message' in body);
}
