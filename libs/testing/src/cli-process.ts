import { builtEntry } from './app-processes';
import { ManagedProcess, baseProcessEnv, type ProcessExit } from './managed-process';

export interface CliResult extends ProcessExit {
  stdout: string[];
  stderr: string[];
}

/**
 * Runs the built `semaphore` command with `args` and the test's environment, to its end (all its output read);
 * `stdin` is given to it as standard input.
 */
export async function runCli(args: string[], env: Record<string, string>, stdin?: string): Promise<CliResult> {
  const proc = new ManagedProcess(
    process.execPath,
    [builtEntry('apps/api/src/cli/main.js'), ...args],
    { ...baseProcessEnv(), ...env },
    undefined,
    stdin,
  );
  const exit = await proc.exited;
  await proc.closed;
  return { ...exit, stdout: proc.stdout, stderr: proc.stderr };
}
