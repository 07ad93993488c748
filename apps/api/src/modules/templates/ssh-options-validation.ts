import {
  AppId,
  SftpOperation,
  remotePathProblem,
  workspacePathProblem,
  type SshOperationSettings,
} from '@semaphore/models';

export function isSshApp(app: string): boolean {
  return app === AppId.Ssh || app === AppId.Sftp;
}

/** Which side each sftp operation's paths are on. */
const SFTP_PATHS: Record<
  SftpOperation,
  { source: 'workspace' | 'remote'; destination: 'workspace' | 'remote' | null }
> = {
  [SftpOperation.Upload]: { source: 'workspace', destination: 'remote' },
  [SftpOperation.Sync]: { source: 'workspace', destination: 'remote' },
  [SftpOperation.Download]: { source: 'remote', destination: 'workspace' },
  [SftpOperation.List]: { source: 'remote', destination: null },
  [SftpOperation.Copy]: { source: 'remote', destination: 'remote' },
};

function pathProblem(side: 'workspace' | 'remote', value: string): string | null {
  return side === 'workspace' ? workspacePathProblem(value) : remotePathProblem(value);
}

/**
 * The first problem of a template's ssh settings, as a message naming the field, or null. Paths are checked for the
 * side they are on (SECURITY.md §3): repository/artifact paths stay inside the workspace, remote paths have no `..`.
 */
export function sshOptionsProblem(app: string, s: SshOperationSettings | null): string | null {
  if (!isSshApp(app)) return s === null ? null : 'ssh_options is only for ssh and sftp templates';
  if (s === null) return `ssh_options is required for ${app} templates`;
  if (s.tolerateFailures < 0) return 'ssh_options.tolerate_failures must not be negative';
  if (app === AppId.Ssh) {
    if (s.operation !== null) return 'ssh_options.operation is only for sftp templates';
    if ((s.command === '') === (s.script === '')) return 'ssh_options needs either command or script (not both)';
    const problem = s.script === '' ? null : workspacePathProblem(s.script);
    return problem ? `ssh_options.script ${problem}` : null;
  }
  if (s.operation === null) return 'ssh_options.operation is required for sftp templates';
  if (s.command !== '' || s.script !== '') return 'ssh_options.command and script are only for ssh templates';
  const sides = SFTP_PATHS[s.operation];
  const sourceProblem = pathProblem(sides.source, s.source);
  if (sourceProblem) return `ssh_options.source ${sourceProblem}`;
  if (sides.destination === null) {
    return s.destination === '' ? null : `ssh_options.destination is not used by ${s.operation}`;
  }
  const destinationProblem = pathProblem(sides.destination, s.destination);
  return destinationProblem ? `ssh_options.destination ${destinationProblem}` : null;
}
