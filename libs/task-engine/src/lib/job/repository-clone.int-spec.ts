import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobRepository } from '@semaphore/models';
import { createGitRepository } from '@semaphore/testing';
import { checkRemoteCommit } from './commit-check';
import { JobErrorCode, JobPrepareError } from './job-errors';
import { cloneRepository } from './repository-clone';
import { TaskWorkspace } from './task-workspace';

/** The one-line reasons of a failed clone and a failed commit check, each naming what it could not do (real git). */
describe('repository clone and check failures (real git)', () => {
  let root: string;
  let url: string;
  const repo = (branch: string): JobRepository => ({ url, branch, key: { type: 'none' }, knownHosts: [] });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'semtest-clone-'));
    url = createGitRepository(join(root, 'repo'), { 'site.yml': '- hosts: all\n' });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const failure = async (work: Promise<unknown>): Promise<JobPrepareError> => {
    const err = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JobPrepareError);
    expect((err as JobPrepareError).code).toBe(JobErrorCode.GitCheckoutFailed);
    return err as JobPrepareError;
  };

  it('a clone of a missing branch says "cannot clone", with git\'s fatal line, and logs git\'s output', async () => {
    const workspace = await TaskWorkspace.create(join(root, 'tmp'), 'clone');
    const log: string[] = [];
    try {
      const err = await failure(
        cloneRepository(repo('nope'), {
          workspace,
          name: 'repository',
          startAgent: () => Promise.reject(new Error('no agent for a key of type none')),
          log: (line) => log.push(line),
        }),
      );
      expect(err.message.startsWith(`cannot clone ${url}: fatal: `)).toBe(true);
      expect(err.message).toContain('nope');
      expect(log.length).toBeGreaterThan(0);
    } finally {
      await workspace.remove();
    }
  });

  it('a check of a missing branch says "cannot check", with the reason', async () => {
    const err = await failure(checkRemoteCommit(repo('nope'), join(root, 'tmp'), 7));
    expect(err.message).toBe(`cannot check ${url}: the repository ${url} has no branch nope`);
  });

  it('a check of an existing branch gives its head commit', async () => {
    const head = execFileSync('git', ['rev-parse', 'main'], { cwd: url.slice('file://'.length) })
      .toString()
      .trim();
    await expect(checkRemoteCommit(repo('main'), join(root, 'tmp'), 8)).resolves.toBe(head);
  });
});
