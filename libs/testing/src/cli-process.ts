import { builtEntry } from './app-processes';
import { ManagedProcess, baseProcessEnv, type ProcessExit } from './managed-process';

export interface CliResult extends ProcessExit {
  stdout: string[];
  stderr: string[];
}

/** Runs the built `semaphore` command with `args` and the test's environment, to its end. */
export async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const proc = new ManagedProcess(process.execPath, [builtEntry('apps/api/src/cli/main.js'), ...args], {
    ...baseProcessEnv(),
    ...env,
  });
  const exit = await proc.exited;
  return { ...exit, stdout: proc.stdout, stderr: proc.stderr };
}
