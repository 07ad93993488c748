import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A bare git repository (branch `main`, one commit holding `files`) under `root`, returned as a `file://` URL. */
/** A file of a test repository: its content, or its content and mode (git keeps the executable bit). */
export type RepositoryFile = string | Buffer | { content: string | Buffer; mode: number };

export function createGitRepository(
  root: string,
  files: Record<string, RepositoryFile>,
  message = 'test files',
): string {
  const work = join(root, 'work');
  mkdirSync(work, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env });
  git('init', '-q', '-b', 'main');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, name)), { recursive: true });
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(join(work, name), content);
    else writeFileSync(join(work, name), content.content, { mode: content.mode });
  }
  git('add', '.');
  git('commit', '-q', '-m', message);
  const bare = join(root, 'origin.git');
  execFileSync('git', ['clone', '-q', '--bare', work, bare], { env });
  return `file://${bare}`;
}
