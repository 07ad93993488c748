export { ConfigError, EnvReader } from './lib/env-reader';
export type { Env } from './lib/env-reader';
export {
  parseBase64Key,
  parseBool,
  parseEnum,
  parseInteger,
  parseJson,
  parseList,
  parsePort,
  parseUrl,
} from './lib/env-parsers';
export { loadOrExit } from './lib/fail-on-config-error';
export { exitCleanlyOnSignals } from './lib/process-lifecycle';
export type { ShutdownLogger } from './lib/process-lifecycle';
