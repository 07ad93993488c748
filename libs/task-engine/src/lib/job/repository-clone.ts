import type { JobRepository, SshKeyMaterial } from '@semaphore/models';
import type { SshAgent } from '@semaphore/ssh';
import { UnsafeArgumentError } from '../apps/arg-safety';
import { checkoutRepository, redactUrl, remoteHeadCommit, type CheckedOut, type GitAuth } from '../git/git-checkout';
import { JobErrorCode, JobPrepareError } from './job-errors';
import type { TaskWorkspace } from './task-workspace';

export interface CloneTarget {
  workspace: TaskWorkspace;
  /** Workspace name of the checkout; its git scratch directory and known hosts file are named after it. */
  name: string;
  /** Starts an agent holding `key` for this run (stopped with the run). */
  startAgent(key: SshKeyMaterial): Promise<SshAgent>;
  log(line: string): void;
}

export interface ClonedRepository {
  dir: string;
  /** Null for a directory on the runner, used in place. */
  commit: CheckedOut | null;
}

/**
 * Clones a job repository into the workspace: an ssh key through an agent with the host key checked against the
 * job's known hosts (SECURITY.md §6), a login/password through git's askpass. A directory on the runner (a URL
 * starting with `/`) is used in place, as upstream.
 * @throws JobPrepareError (GIT_CHECKOUT_FAILED) after logging git's output
 */
export async function cloneRepository(repo: JobRepository, target: CloneTarget): Promise<ClonedRepository> {
  if (repo.url.startsWith('/')) return { dir: repo.url, commit: null };
  const { workspace, name } = target;
  const auth = await gitAuth(repo, target);
  const dir = workspace.path(name);
  try {
    const commit = await checkoutRepository(
      { url: repo.url, branch: repo.branch, auth },
      dir,
      workspace.path(`git_${name}`),
      target.log,
    );
    return { dir, commit };
  } catch (err) {
    if (err instanceof UnsafeArgumentError) throw err;
    const output = err instanceof Error ? err.message : String(err);
    for (const line of output.split(/\r?\n/)) if (line.trim()) target.log(line);
    throw new JobPrepareError(JobErrorCode.GitCheckoutFailed, gitFailure('clone', repo, output));
  }
}

/**
 * The commit the repository's branch points at on the remote, for "run on a new commit" schedules.
 * @throws JobPrepareError (GIT_CHECKOUT_FAILED) with git's reason
 */
export async function remoteHead(repo: JobRepository, target: CloneTarget): Promise<string> {
  const auth = await gitAuth(repo, target);
  try {
    return await remoteHeadCommit(
      { url: repo.url, branch: repo.branch, auth },
      target.workspace.path(`git_${target.name}`),
    );
  } catch (err) {
    if (err instanceof UnsafeArgumentError) throw err;
    const output = err instanceof Error ? err.message : String(err);
    throw new JobPrepareError(JobErrorCode.GitCheckoutFailed, gitFailure('check', repo, output));
  }
}

async function gitAuth(repo: JobRepository, target: CloneTarget): Promise<GitAuth> {
  if (repo.key.type === 'ssh') {
    const agent = await target.startAgent(repo.key);
    const knownHostsFile = await target.workspace.writePrivate(
      `known_hosts_${target.name}`,
      knownHostsText(repo.knownHosts),
    );
    return { kind: 'ssh', agentSocket: agent.socketPath, knownHostsFile };
  }
  if (repo.key.type === 'login_password') {
    return { kind: 'password', login: repo.key.login, password: repo.key.password };
  }
  return { kind: 'none' };
}

function knownHostsText(lines: readonly string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** One line saying why git could not clone (or check) the repository; host key failures name the remedy. */
function gitFailure(verb: 'clone' | 'check', repo: JobRepository, output: string): string {
  const cannot = `cannot ${verb} ${redactUrl(repo.url)}`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|host key is known/i.test(output)) {
    const known = repo.knownHosts.length ? 'does not match the known hosts' : 'is unknown: no known hosts are set';
    return `${cannot}: the SSH host key of the server ${known} (options ssh.known_hosts, project.<id>.ssh.known_hosts)`;
  }
  const last = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Cloning into'));
  return `${cannot}: ${last.find((l) => l.startsWith('fatal:')) ?? last[0] ?? 'git failed'}`;
}
