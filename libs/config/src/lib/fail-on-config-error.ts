import { ConfigError } from './env-reader';

/**
 * Loads config and, on a ConfigError, writes one line naming the variable to stderr and exits with code 78
 * (EX_CONFIG). Any other error is rethrown.
 */
export function loadOrExit<T>(load: () => T, processName: string): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${processName}: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
