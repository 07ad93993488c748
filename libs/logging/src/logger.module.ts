import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { requestLogFields, responseLogFields } from './http-serializers';
import { REDACTED, redactPaths } from './redaction';

export interface LoggingOptions {
  level: string;
  /** Fixed fields on every line, e.g. `{ app: 'runner', runnerId }`. */
  base?: Record<string, unknown>;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  stream?: NodeJS.WritableStream;
}

/** nestjs-pino with JSON lines, request ids and redaction of credentials. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: [
      {
        level: options.level,
        base: { pid: process.pid, ...options.base },
        redact: { paths: redactPaths(), censor: REDACTED },
        serializers: { req: requestLogFields, res: responseLogFields },
        genReqId: (req: IncomingMessage) => {
          const given = req.headers['x-request-id'];
          return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
        },
        // Health probes would drown everything else.
        autoLogging: { ignore: (req: IncomingMessage) => req.url === '/api/ping' || req.url === '/api/health' },
      },
      options.stream ?? process.stdout,
    ],
    // Every route, in the wildcard syntax of path-to-regexp 8 (nestjs-pino's default `*` draws a warning at start).
    forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
  });
}
