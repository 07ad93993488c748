import { assertName, assertOptionValue, assertRelativePath, UnsafeArgumentError } from './arg-safety';

export interface AnsiblePlaybookArgs {
  /** Inventory file inside the workspace (static inventory written by the engine, or a repository path). */
  inventoryPath: string;
  /** `--user` from the inventory's ssh or login_password key. */
  user?: string;
  /** login_password key with a password: `--ask-pass`, answered on the PTY prompt. */
  askPass?: boolean;
  /** Become key: `--become-user` + `--ask-become-pass`. */
  becomeUser?: string;
  debug: boolean;
  diff: boolean;
  dryRun: boolean;
  /** Names of the template's vaults, each answered on the PTY prompt `Vault password (<name>):`. */
  vaultNames: string[];
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
 */
export function ansiblePlaybookArgs(a: AnsiblePlaybookArgs): string[] {
  const args = ['-i', assertPathOrAbsolute('inventory', a.inventoryPath)];
  if (a.user) args.push(`--user=${assertOptionValue('user', a.user)}`);
  if (a.askPass) args.push('--ask-pass');
  if (a.becomeUser) args.push(`--become-user=${assertOptionValue('become user', a.becomeUser)}`, '--ask-become-pass');
  if (a.debug) args.push('-vvvv');
  if (a.diff) args.push('--diff');
  if (a.dryRun) args.push('--check');
  for (const name of a.vaultNames) args.push(`--vault-id=${assertName('vault name', name || 'default')}@prompt`);
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
