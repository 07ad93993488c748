import { argumentsProblem, gitBranchProblem, relativePathProblem } from './template-validation';

describe('template validation', () => {
  it('accepts relative paths inside the repository', () => {
    for (const ok of ['site.yml', 'playbooks/deploy.yml', './site.yml', 'a/../b.yml', 'dir/', 'infra/-x.yml']) {
      expect(relativePathProblem(ok)).toBeNull();
    }
  });

  it('refuses absolute paths, escapes, option-like and control characters', () => {
    for (const bad of [
      '../../etc/passwd',
      '..',
      'a/../../b',
      '/etc/passwd',
      '\\etc\\passwd',
      'C:/x',
      '-e@/etc/shadow',
      './-e',
      '--help',
      'site.yml\nx',
      'a\u0000b',
    ]) {
      expect(relativePathProblem(bad)).not.toBeNull();
    }
  });

  it('checks git branch names', () => {
    for (const ok of ['main', 'feature/x-1', 'release-1.0', 'v2']) expect(gitBranchProblem(ok)).toBeNull();
    for (const bad of [
      '-main',
      '--upload-pack=x',
      'a..b',
      'a b',
      'a~1',
      'x^',
      'x:y',
      'a/',
      '/a',
      'x.lock',
      '.x',
      '@',
      'a@{1}',
      'a//b',
      'x\ty',
    ]) {
      expect(gitBranchProblem(bad)).not.toBeNull();
    }
  });

  it('wants arguments as a JSON array of strings', () => {
    expect(argumentsProblem('[]')).toBeNull();
    expect(argumentsProblem('["--check","-v"]')).toBeNull();
    expect(argumentsProblem('not json')).toMatch(/valid JSON/);
    expect(argumentsProblem('{"a":1}')).toMatch(/array of strings/);
    expect(argumentsProblem('[1,2]')).toMatch(/array of strings/);
    expect(argumentsProblem('"--check"')).toMatch(/array of strings/);
  });
});
