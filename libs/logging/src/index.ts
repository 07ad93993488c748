export { loggingModule } from './logger.module';
export type { LoggingOptions } from './logger.module';
export { redactPaths, REDACTED, SECRET_FIELD_NAMES } from './redaction';
export { requestLogFields, responseLogFields } from './http-serializers';
