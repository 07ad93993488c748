import { assertName, assertOptionValue, assertRelativePath, UnsafeArgumentError } from './arg-safety';

export interface AnsiblePlaybookArgs {
  /** Inventory file inside the workspace (static inventory written by the engine, or a repository path). */
  inventoryPath: string;
  /** `--user` from the inventory's ssh or login_password key (its password goes into the extra vars file). */
  user?: string;
  /** Become key's login: `--become` user; its password goes into the extra vars file. */
  becomeUser?: string;
  debug: boolean;
  diff: boolean;
  dryRun: boolean;
  /** The template's vaults: `--vault-id <name>@<file>`, each password in its own 0600 file. */
  vaults: Array<{ name: string; passwordFile: string }>;
  /** The 0600 JSON file holding every extra variable (`--extra-vars @file`): no value reaches the command line. */
  extraVarsFile: string;
  templateArguments: string[];
  /** Only when the template allows overriding arguments. */
  taskArguments: string[];
  limit: string;
  playbook: string;
}

/**
 * The ansible-playbook argv in upstream's order (reference §3.4), with the project's safety rules: extra variables
 * through a file, the limit as `--limit=<value>`, and `--` before the playbook so it is never read as an option.
 * Upstream answers password prompts on a PTY; here SSH and become passwords travel in the 0600 extra vars file
 * (`ansible_password`, `ansible_become_password`) and vault passwords in 0600 files, so no PTY is needed.
 */
export function ansiblePlaybookArgs(a: AnsiblePlaybookArgs): string[] {
  const args = ['-i', assertPathOrAbsolute('inventory', a.inventoryPath)];
  if (a.user) args.push(`--user=${assertOptionValue('user', a.user)}`);
  if (a.becomeUser) args.push(`--become-user=${assertOptionValue('become user', a.becomeUser)}`);
  if (a.debug) args.push('-vvvv');
  if (a.diff) args.push('--diff');
  if (a.dryRun) args.push('--check');
  for (const v of a.vaults) {
    const file = assertPathOrAbsolute('vault password file', v.passwordFile);
    args.push(`--vault-id=${assertName('vault name', v.name || 'default')}@${file}`);
  }
  args.push(`--extra-vars=@${assertPathOrAbsolute('extra vars file', a.extraVarsFile)}`);
  args.push(...a.templateArguments.map((v, i) => assertOptionValue(`arguments[${i}]`, v)));
  args.push(...a.taskArguments.map((v, i) => assertOptionValue(`task arguments[${i}]`, v)));
  if (a.limit) args.push(`--limit=${assertOptionValue('limit', a.limit)}`);
  args.push('--', assertRelativePath('playbook', a.playbook));
  return args;
}

/** Files the engine itself writes live at absolute paths in the task directory; user-given ones are relative. */
function assertPathOrAbsolute(field: string, value: string): string {
  if (value.startsWith('/')) {
    if (/[\0\r\n]/.test(value) || value.split('/').includes('..')) {
      throw new UnsafeArgumentError(field, 'is not a clean absolute path');
    }
    return value;
  }
  return assertRelativePath(field, value);
}
