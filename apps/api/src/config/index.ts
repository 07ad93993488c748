import { loadOrExit } from '@semaphore/config';
import { ApiConfig, loadApiConfig, loadDatabaseConfig } from './api.config';
import { findConfigFile, readConfigFile, type ConfigFileEnv } from './config-file';

export { ApiConfig, loadApiConfig, loadDatabaseConfig, LOG_LEVELS } from './api.config';
export type { LogLevel } from './api.config';

/**
 * Upstream's config loading: the JSON file (`--config`, `SEMAPHORE_CONFIG_PATH` or a default path; none with
 * `--no-config`) sets every variable the environment does not already set (the environment overrides the file).
 * Returns what was read, or null when there is no file. @throws ConfigFileError
 */
export function applyConfigFile(opts: { explicit?: string; disabled?: boolean }): ConfigFileEnv | null {
  const path = findConfigFile(opts, process.env.SEMAPHORE_CONFIG_PATH);
  if (!path) return null;
  const loaded = readConfigFile(path);
  for (const [name, value] of Object.entries(loaded.env))
    if (process.env[name] === undefined) process.env[name] = value;
  return loaded;
}

/** The only place the api reads process.env. */
export function apiConfigFromProcessEnv(): ApiConfig {
  return loadOrExit(() => loadApiConfig(process.env), 'semaphore');
}

export function databaseConfigFromProcessEnv() {
  return loadOrExit(() => loadDatabaseConfig(process.env), 'semaphore');
}
export { ApiConfigModule } from './config.module';
export { ConfigFileError, configFileEnv } from './config-file';
export type { ConfigFileEnv } from './config-file';
