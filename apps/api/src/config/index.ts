import { loadOrExit } from '@semaphore/config';
import { ApiConfig, loadApiConfig, loadDatabaseConfig } from './api.config';

export { ApiConfig, loadApiConfig, loadDatabaseConfig, LOG_LEVELS } from './api.config';
export type { LogLevel } from './api.config';

/** The only place the api reads process.env. */
export function apiConfigFromProcessEnv(): ApiConfig {
  return loadOrExit(() => loadApiConfig(process.env), 'semaphore');
}

export function databaseConfigFromProcessEnv() {
  return loadOrExit(() => loadDatabaseConfig(process.env), 'semaphore');
}
export { ApiConfigModule } from './config.module';
