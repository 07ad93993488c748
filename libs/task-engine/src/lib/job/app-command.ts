import { AppId, type JobSpec } from '@semaphore/models';
import { ansiblePlaybookArgs } from '../apps/ansible-args';
import { assertOptionValue, assertRelativePath, UnsafeArgumentError } from '../apps/arg-safety';

export interface PreparedFiles {
  inventoryPath: string | null;
  extraVarsFile: string;
  vaultFiles: Array<{ name: string; passwordFile: string }>;
  /** Environment the prepared files need, for ansible (e.g. the known hosts of the inventory hosts). */
  env?: Record<string, string>;
}

export interface AppCommand {
  command: string;
  args: string[];
  /** Extra environment for this app. */
  env: Record<string, string>;
}

const SHELL_APPS: Record<string, { command: string; pre: string[] }> = {
  [AppId.Bash]: { command: 'bash', pre: [] },
  [AppId.Python]: { command: 'python3', pre: [] },
  [AppId.PowerShell]: { command: 'pwsh', pre: ['-File'] },
};

/**
 * The command that runs the job's app. Shell apps get `<script> <arguments...>` and, instead of upstream's
 * `name=value` arguments (which put secrets on the command line), the path of the extra vars JSON file in
 * SEMAPHORE_EXTRA_VARS_FILE.
 */
export function appCommand(spec: JobSpec, files: PreparedFiles): AppCommand {
  if (spec.app === AppId.Ansible) {
    if (!files.inventoryPath) throw new UnsafeArgumentError('inventory', 'is required for ansible');
    const login = spec.inventory?.sshKey.type !== 'none' ? spec.inventory?.sshKey : undefined;
    const become = spec.inventory?.becomeKey.type === 'login_password' ? spec.inventory.becomeKey : undefined;
    return {
      command: 'ansible-playbook',
      args: ansiblePlaybookArgs({
        inventoryPath: files.inventoryPath,
        user: login && 'login' in login && login.login ? login.login : undefined,
        becomeUser: become?.login || undefined,
        debug: spec.debug,
        diff: spec.diff,
        dryRun: spec.dryRun,
        vaults: files.vaultFiles,
        extraVarsFile: files.extraVarsFile,
        templateArguments: spec.arguments,
        taskArguments: [],
        limit: spec.limit,
        playbook: spec.playbook,
      }),
      env: { PYTHONUNBUFFERED: '1', ANSIBLE_FORCE_COLOR: 'True', ...files.env },
    };
  }
  const shell = SHELL_APPS[spec.app];
  if (!shell) throw new UnsafeArgumentError('app', `${spec.app} is not supported by this runner`);
  const script = assertRelativePath('playbook', spec.playbook);
  return {
    command: shell.command,
    args: [...shell.pre, script, ...spec.arguments.map((a, i) => assertOptionValue(`arguments[${i}]`, a))],
    env: { SEMAPHORE_EXTRA_VARS_FILE: files.extraVarsFile, PYTHONUNBUFFERED: '1' },
  };
}
