import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellQuote } from '@semaphore/ssh';
import { simpleGit, type SimpleGit } from 'simple-git';
import { assertCommitHash, assertGitRef, assertGitUrl } from './git-refs';

export type GitAuth =
  | { kind: 'none' }
  /** An ssh key held by an agent; the host key must be in `knownHostsFile`. */
  | { kind: 'ssh'; agentSocket: string; knownHostsFile: string }
  /** HTTPS login and password, handed to git by an askpass helper through its environment, never in the URL. */
  | { kind: 'password'; login: string; password: string };

export interface GitSource {
  url: string;
  branch: string;
  /** Check out this commit after cloning. */
  commit?: string;
  auth: GitAuth;
}

export interface CheckedOut {
  commitHash: string;
  commitMessage: string;
}

/**
 * simple-git refuses GIT_SSH_COMMAND and GIT_ASKPASS by default, because a caller-controlled value would run commands.
 * Ours are fixed strings built below (no user input), so they are allowed; every other protection stays on.
 */
const OUR_OWN_ENV = { allowUnsafeSshCommand: true, allowUnsafeAskPass: true } as const;

/**
 * Clones a repository into `dir` (a fresh, task-owned directory), with host keys verified, credentials out of the URL
 * and off the command line, and every user value placed where git cannot read it as an option.
 */
export async function checkoutRepository(
  source: GitSource,
  dir: string,
  scratchDir: string,
  log: (line: string) => void,
): Promise<CheckedOut> {
  const url = assertGitUrl(source.url);
  const branch = assertGitRef('git_branch', source.branch);
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const env = await gitEnvironment(source.auth, scratchDir);
  const parent = simpleGit({ baseDir: scratchDir, timeout: { block: 10 * 60_000 }, unsafe: OUR_OWN_ENV }).env(env);
  log(`Cloning Repository ${redactUrl(url)}`);
  await rm(dir, { recursive: true, force: true });
  await parent.raw(['clone', '--recurse-submodules', '--branch', branch, '--', url, dir]);
  const repo: SimpleGit = simpleGit({ baseDir: dir, unsafe: OUR_OWN_ENV }).env(env);
  if (source.commit) {
    await repo.raw(['checkout', '--detach', assertCommitHash(source.commit), '--']);
  }
  // One process for both (each git spawn is a few ms on the dispatch path): the hash, a NUL, the subject.
  const [commitHash, subject = ''] = (await repo.raw(['log', '-1', '--format=%H%x00%s'])).split('\0');
  return { commitHash: commitHash.trim(), commitMessage: subject.trim().slice(0, 100) };
}

/**
 * The commit a branch of a remote repository points at (`git ls-remote`), without cloning: the check behind schedules
 * that run only on a new commit. Same protections as a clone (verified host keys, credentials out of the URL).
 * @throws Error naming the branch when the remote has no such branch
 */
export async function remoteHeadCommit(source: GitSource, scratchDir: string): Promise<string> {
  const url = assertGitUrl(source.url);
  const branch = assertGitRef('git_branch', source.branch);
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  const env = await gitEnvironment(source.auth, scratchDir);
  const git = simpleGit({ baseDir: scratchDir, timeout: { block: 2 * 60_000 }, unsafe: OUR_OWN_ENV }).env(env);
  const out = await git.raw(['ls-remote', '--heads', '--', url, `refs/heads/${branch}`]);
  const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
  if (!line) throw new Error(`the repository ${redactUrl(url)} has no branch ${branch}`);
  return assertCommitHash(line.split('\t')[0] ?? '');
}

/** The only environment git gets: no prompts, verified host keys, and the credential helper for the chosen auth. */
async function gitEnvironment(auth: GitAuth, scratchDir: string): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratchDir,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    LANG: 'C',
  };
  if (auth.kind === 'ssh') {
    env.SSH_AUTH_SOCK = auth.agentSocket;
    env.GIT_SSH_COMMAND = [
      'ssh',
      '-o BatchMode=yes',
      '-o StrictHostKeyChecking=yes',
      `-o UserKnownHostsFile=${shellQuote(auth.knownHostsFile)}`,
      '-o IdentityFile=none',
    ].join(' ');
  } else {
    env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes';
  }
  if (auth.kind === 'password') {
    const helper = join(scratchDir, 'git-askpass.sh');
    // The script holds no secret: it answers git's prompts from its own environment.
    await writeFile(
      helper,
      '#!/bin/sh\ncase "$1" in\n  Username*) printf "%s\\n" "$SEM_GIT_LOGIN" ;;\n  *) printf "%s\\n" "$SEM_GIT_PASSWORD" ;;\nesac\n',
    );
    await chmod(helper, 0o700);
    env.GIT_ASKPASS = helper;
    env.SEM_GIT_LOGIN = auth.login;
    env.SEM_GIT_PASSWORD = auth.password;
  }
  return env;
}

/** For log lines: a URL without any user information. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
