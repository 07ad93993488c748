import { loadOrExit } from '@semaphore/config';
import { RunnerConfig, loadRunnerConfig } from './runner.config';

export { RunnerConfig, loadRunnerConfig } from './runner.config';

/** The only place the runner reads process.env. */
export function runnerConfigFromProcessEnv(): RunnerConfig {
  return loadOrExit(() => loadRunnerConfig(process.env), 'semaphore-runner');
}
