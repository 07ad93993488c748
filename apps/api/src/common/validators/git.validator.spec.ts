import { gitBranchProblem, gitUrlKind, gitUrlProblem, isLocalGitUrl } from './git.validator';

describe('gitUrlProblem', () => {
  it.each([
    ['https://github.com/semaphoreui/demo-project.git', 'https'],
    ['http://git.example.test/team/repo', 'http'],
    ['ssh://git@git.example.test:2222/team/repo.git', 'ssh'],
    ['ssh://git.example.test/team/repo.git', 'ssh'],
    ['git://git.example.test/team/repo.git', 'git'],
    ['file:///srv/repos/demo', 'local'],
    ['/srv/repos/demo', 'local'],
    ['git@github.com:semaphoreui/demo-project.git', 'scp'],
    ['deploy_user@10.0.0.5:repos/app.git', 'scp'],
    ['git@[::1]:repo.git', 'scp'],
  ])('accepts %s (%s)', (url, kind) => {
    expect(gitUrlProblem(url)).toBeNull();
    expect(gitUrlKind(url)).toBe(kind);
  });

  it.each([
    ['', /required/],
    ['--upload-pack=touch /tmp/x', /start with "-"/],
    ['-oProxyCommand=touch /tmp/x', /start with "-"/],
    ['https://user:pass@github.com/org/repo.git', /credentials.*login_password/],
    ['https://token@github.com/org/repo.git', /credentials/],
    ['ssh://git:secret@host/repo.git', /credentials/],
    ['ext::sh -c touch% /tmp/pwned', /spaces/],
    ['ext::sh', /must be an https/],
    ['fd::17', /must be an https/],
    ['ftp://host/repo.git', /scheme ftp/],
    ['ssh://-oProxyCommand=x/repo', /host/],
    ['git@-oProxyCommand=x:repo', /must be an https/],
    ['git@host:-x', /must be an https/],
    ['host:repo.git', /must be an https/],
    ['https://host/repo\n.git', /control/],
    ['https://', /valid URL|host/],
    ['https://host', /repository path/],
    ['file://otherhost/srv/repo', /file:\/\/\/path/],
    ['/srv/../etc', /\.\./],
    ['/', /root/],
    ['relative/path', /must be an https/],
    ['x'.repeat(3000), /at most/],
  ])('refuses %j', (url, message) => {
    expect(gitUrlProblem(url)).toMatch(message);
    expect(gitUrlKind(url)).toBeNull();
  });

  it('knows local repositories', () => {
    expect(isLocalGitUrl('/srv/repo')).toBe(true);
    expect(isLocalGitUrl('file:///srv/repo')).toBe(true);
    expect(isLocalGitUrl('https://host/repo')).toBe(false);
    expect(isLocalGitUrl('-x')).toBe(false);
  });
});

describe('gitBranchProblem', () => {
  it.each(['main', 'feature/x-1', 'release-2.10', 'v1.0.0', 'user@host', 'a.b/c_d'])('accepts %s', (branch) => {
    expect(gitBranchProblem(branch)).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['-x', /start with "-"/],
    ['--upload-pack=x', /start with "-"/],
    ['a..b', /\.\./],
    ['has space', /spaces/],
    ['tab\there', /spaces/],
    ['a~1', /~/],
    ['a^', /~/],
    ['a:b', /~/],
    ['a?', /~/],
    ['a*', /~/],
    ['a[b', /~/],
    ['a\\b', /~/],
    ['@', /@/],
    ['a@{1}', /@\{/],
    ['/a', /"\/"/],
    ['a/', /"\/"/],
    ['a//b', /"\/\/"/],
    ['a.', /end with "\."/],
    ['.hidden', /component starting/],
    ['a/.b', /component starting/],
    ['a.lock', /\.lock/],
    ['x'.repeat(256), /at most/],
  ])('refuses %j', (branch, message) => {
    expect(gitBranchProblem(branch)).toMatch(message);
  });
});
