import { UnsafeArgumentError } from '../apps/arg-safety';
import type { TaskWorkspace } from './task-workspace';

/**
 * The environment that makes ansible's SSH connections verify the inventory hosts against the job's known hosts (a
 * 0600 file in the workspace), besides the runner's own `~/.ssh/known_hosts`, with strict checking. Ansible puts
 * `ssh_common_args` after its own options, so an explicit `ANSIBLE_HOST_KEY_CHECKING=False` in the task environment
 * (ssh keeps the first value) or an inventory's `ansible_ssh_common_args` still win: they are the user's visible choice.
 * No lines: nothing changes.
 */
export async function ansibleKnownHostsEnv(
  workspace: TaskWorkspace,
  lines: readonly string[],
): Promise<Record<string, string>> {
  if (!lines.length) return {};
  const file = await workspace.writePrivate('known_hosts_ansible', `${lines.join('\n')}\n`);
  if (/[\s'"\\]/.test(file)) {
    throw new UnsafeArgumentError('task directory', 'must not contain spaces or quotes (SEMAPHORE_TMP_PATH)');
  }
  return {
    ANSIBLE_SSH_COMMON_ARGS: `-o StrictHostKeyChecking=yes -o "UserKnownHostsFile=${file} ~/.ssh/known_hosts"`,
  };
}
