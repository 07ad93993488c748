/**
 * Extra variables of a task: built by the api when a runner claims it (JobSpec.extraVars), and checked by the api when
 * a task is created (SECURITY.md §5). Plain functions shared by both sides.
 */
export type ExtraVars = Record<string, unknown>;

export interface TaskDetails {
  id: number;
  username: string;
  /** Link to the task in the UI, or null when no public URL is configured. */
  url: string | null;
  message?: string;
  type?: 'build' | 'deploy';
  incoming_version?: string;
  target_version?: string;
}

/**
 * The extra variables of a run, as upstream builds them: the environment's JSON, then the task's survey secrets
 * (they win), then the environment secrets of type `var` (as upstream, they win over both), then
 * `semaphore_vars.task_details`. Everything goes into one file, never onto the command line.
 */
export function buildExtraVars(parts: {
  environment: ExtraVars;
  secretVars: ExtraVars;
  environmentSecretVars: Record<string, string>;
  taskDetails: TaskDetails;
}): ExtraVars {
  const details: TaskDetails = { ...parts.taskDetails };
  return {
    ...parts.environment,
    ...parts.secretVars,
    // Upstream passes these as later `--extra-vars k=v` options, which take precedence.
    ...parts.environmentSecretVars,
    semaphore_vars: { task_details: details },
  };
}

/**
 * Variables that would let whoever sets them take over the controller or run arbitrary commands: connection
 * plugins, interpreters, executables and SSH options (SECURITY.md §5). Users who may only run tasks cannot set them
 * unless the template explicitly allows overrides.
 */
const DANGEROUS = [
  /^ansible_connection$/,
  /^ansible_(\w+_)?interpreter$/,
  /^ansible_(\w+_)?executable$/,
  /^ansible_(ssh|scp|sftp)_(common_|extra_)?args$/,
  /^ansible_ssh_(executable|pipelining)$/,
  /^ansible_(become|su|sudo)_(exe|flags|method)$/,
  /^ansible_become_/,
  /^ansible_port$/,
  /^ansible_(host|user)$/,
  /^ansible_shell_type$/,
  /^ansible_module_compression$/,
  /^ansible_(.*_)?proxy_?command$/,
  /^ansible_paramiko_/,
  /^ansible_psrp_/,
  /^ansible_winrm_/,
  /^ansible_network_os$/,
  /^ansible_python$/,
];

/** The keys of `vars` (at the top level) that only a template with overrides allowed may set. */
export function dangerousExtraVarKeys(vars: ExtraVars): string[] {
  return Object.keys(vars).filter((key) => DANGEROUS.some((re) => re.test(key.toLowerCase())));
}
