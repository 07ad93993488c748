import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshAgent } from '@semaphore/ssh';
import { startSshd, type SshdServer } from '@semaphore/testing';
import { UnsafeArgumentError } from '../apps/arg-safety';
import { checkoutRepository, remoteHeadCommit } from './git-checkout';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@x',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@x',
    },
  })
    .toString()
    .trim();
}

describe('checkoutRepository (real git, real sshd)', () => {
  let root: string;
  let origin: string;
  let first: string;
  let second: string;
  let sshd: SshdServer;
  const log: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-git-'));
    const work = join(root, 'work');
    execFileSync('mkdir', ['-p', work]);
    git(work, 'init', '-q', '-b', 'main');
    writeFileSync(join(work, 'site.yml'), '- hosts: all\n');
    git(work, 'add', '.');
    git(work, 'commit', '-q', '-m', 'first commit');
    first = git(work, 'rev-parse', 'HEAD');
    writeFileSync(join(work, 'site.yml'), '- hosts: web\n');
    git(work, 'commit', '-q', '-am', 'second commit');
    second = git(work, 'rev-parse', 'HEAD');
    origin = join(root, 'origin.git');
    git(root, 'clone', '-q', '--bare', work, origin);
    sshd = await startSshd();
  });

  afterAll(async () => {
    await sshd?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => (log.length = 0));

  it('clones a branch and reports the commit', async () => {
    const dir = join(root, 'checkout-1');
    const result = await checkoutRepository(
      { url: origin, branch: 'main', auth: { kind: 'none' } },
      dir,
      join(root, 's1'),
      (l) => log.push(l),
    );
    expect(result).toEqual({ commitHash: second, commitMessage: 'second commit' });
    expect(existsSync(join(dir, 'site.yml'))).toBe(true);
    expect(log).toEqual([`Cloning Repository ${origin}`]);
  });

  it('checks out a given commit', async () => {
    const dir = join(root, 'checkout-2');
    const result = await checkoutRepository(
      { url: `file://${origin}`, branch: 'main', commit: first, auth: { kind: 'none' } },
      dir,
      join(root, 's2'),
      () => undefined,
    );
    expect(result.commitHash).toBe(first);
  });

  it('clones over ssh with the key in an agent and the host key verified', async () => {
    const agent = await SshAgent.start(root);
    agent.addKey(sshd.privateKey);
    const knownHosts = join(root, 'known_hosts');
    writeFileSync(knownHosts, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const url = `ssh://${sshd.username}@127.0.0.1:${sshd.port}${origin}`;
    try {
      const ok = await checkoutRepository(
        { url, branch: 'main', auth: { kind: 'ssh', agentSocket: agent.socketPath, knownHostsFile: knownHosts } },
        join(root, 'checkout-3'),
        join(root, 's3'),
        () => undefined,
      );
      expect(ok.commitHash).toBe(second);

      // A host key that is not the known one is refused.
      const wrongHosts = join(root, 'wrong_known_hosts');
      writeFileSync(wrongHosts, `[127.0.0.1]:${sshd.port} ${sshd.publicKey}\n`);
      await expect(
        checkoutRepository(
          { url, branch: 'main', auth: { kind: 'ssh', agentSocket: agent.socketPath, knownHostsFile: wrongHosts } },
          join(root, 'checkout-4'),
          join(root, 's4'),
          () => undefined,
        ),
      ).rejects.toThrow(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    } finally {
      await agent.stop();
    }
  });

  it('looks up the head of a branch without cloning (local and over ssh), and names a missing branch', async () => {
    expect(
      await remoteHeadCommit({ url: `file://${origin}`, branch: 'main', auth: { kind: 'none' } }, join(root, 'h1')),
    ).toBe(second);
    await expect(
      remoteHeadCommit({ url: `file://${origin}`, branch: 'nope', auth: { kind: 'none' } }, join(root, 'h2')),
    ).rejects.toThrow(/has no branch nope/);
    await expect(
      remoteHeadCommit(
        { url: `file://${origin}`, branch: '--upload-pack=x', auth: { kind: 'none' } },
        join(root, 'h3'),
      ),
    ).rejects.toBeInstanceOf(UnsafeArgumentError);
    const agent = await SshAgent.start(root);
    try {
      agent.addKey(sshd.privateKey);
      const knownHostsFile = join(root, 'known_hosts_head');
      writeFileSync(knownHostsFile, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
      const url = `ssh://${sshd.username}@127.0.0.1:${sshd.port}${origin}`;
      const auth = { kind: 'ssh', agentSocket: agent.socketPath, knownHostsFile } as const;
      expect(await remoteHeadCommit({ url, branch: 'main', auth }, join(root, 'h4'))).toBe(second);
    } finally {
      await agent.stop();
    }
  });

  it('refuses option injection through the URL or branch before running git', async () => {
    const marker = join(root, 'pwned');
    for (const source of [
      { url: `--upload-pack=touch ${marker}`, branch: 'main' },
      { url: origin, branch: `--upload-pack=touch ${marker}` },
      { url: origin, branch: '-b' },
      { url: 'https://user:secret@example.com/x.git', branch: 'main' },
    ]) {
      await expect(
        checkoutRepository(
          { ...source, auth: { kind: 'none' } },
          join(root, 'checkout-x'),
          join(root, 'sx'),
          () => undefined,
        ),
      ).rejects.toThrow(UnsafeArgumentError);
    }
    expect(existsSync(marker)).toBe(false);
  });
});
