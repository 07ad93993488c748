import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

const EXIT_TIMEOUT_MS = 5_000;

/**
 * Ends the SSH connection multiplexers ansible left behind. Its default `ControlPersist=60s` makes each `ssh` fork a
 * master into a session of its own, outside the task's process group, that keeps an authenticated connection open
 * for a minute after the task ended. With HOME set to the task workspace their sockets are in
 * `<workspace>/.ansible/cp`; `ssh -O exit` on each one closes it before the workspace is removed. Never throws.
 */
export async function closeSshControlMasters(homeDir: string, path: string): Promise<void> {
  const dir = join(homeDir, '.ansible', 'cp');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // no ssh connection was made
  }
  // ansible names them by a hash; anything else is not one of its sockets (and `%` would be a ControlPath token).
  const sockets = names.filter((n) => /^[A-Za-z0-9_.-]+$/.test(n));
  await Promise.all(sockets.map((name) => requestExit(join(dir, name), path)));
}

function requestExit(socket: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    // `-F /dev/null`: the runner user's ssh config plays no part; the destination is required but not contacted.
    execFile(
      'ssh',
      ['-F', '/dev/null', '-o', `ControlPath=${socket}`, '-O', 'exit', 'semaphore-task'],
      { env: { PATH: path }, timeout: EXIT_TIMEOUT_MS },
      () => resolve(),
    );
  });
}
