import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppId, TaskStatus, type JobSpec } from '@semaphore/models';
import { createGitRepository } from '@semaphore/testing';
import { LocalJob } from './local-job';

const none = { type: 'none' } as const;

function spec(over: Partial<JobSpec>): JobSpec {
  return {
    taskId: 1,
    projectId: 1,
    templateId: 1,
    claimGeneration: 1,
    firstSeq: 1,
    version: null,
    app: AppId.Bash,
    username: 'admin',
    playbook: 'run.sh',
    arguments: [],
    debug: false,
    dryRun: false,
    diff: false,
    limit: '',
    extraVars: {},
    env: {},
    repository: { url: '', branch: 'main', key: none, knownHosts: [] },
    inventory: null,
    vaults: [],
    params: {},
    ...over,
  };
}

describe('LocalJob (real git, bash and ansible-playbook)', () => {
  let root: string;
  let repo: string;
  let tmpRoot: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'semtest-job-'));
    tmpRoot = join(root, 'tasks');
    repo = createGitRepository(
      root,
      {
        'run.sh':
          'echo "hello $1"; echo "token=$API_TOKEN"; cat "$SEMAPHORE_EXTRA_VARS_FILE"; echo; env | grep -c SEMAPHORE_DB || true\n',
        'fail.sh': 'echo failing >&2; exit 4\n',
        'site.yml': [
          '- hosts: all',
          '  gather_facts: false',
          '  tasks:',
          '    - name: greet',
          '      ansible.builtin.debug:',
          '        msg: "region={{ region }} secret={{ vault_ok | default(\'none\') }}"',
        ].join('\n'),
      },
      'playbooks',
    );
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function collect() {
    const lines: string[] = [];
    const statuses: TaskStatus[] = [];
    const commits: string[] = [];
    return {
      lines,
      statuses,
      commits,
      events: {
        log: (l: string) => lines.push(l),
        status: (s: TaskStatus) => statuses.push(s),
        commit: (h: string, m: string) => commits.push(`${h.slice(0, 7)} ${m}`),
      },
    };
  }

  it('clones, runs a bash script with arguments, env and the extra vars file, then cleans up', async () => {
    const c = collect();
    const job = new LocalJob(
      spec({
        repository: { url: repo, branch: 'main', key: none, knownHosts: [] },
        arguments: ['world'],
        env: { API_TOKEN: 'from-env-secret' },
        extraVars: { region: 'eu' },
      }),
      { tmpRoot, path: process.env.PATH ?? '/usr/bin:/bin', events: c.events },
    );
    expect(await job.run()).toEqual({ status: TaskStatus.Success });
    expect(c.statuses).toEqual([TaskStatus.Running]);
    expect(c.commits).toEqual([expect.stringMatching(/^[0-9a-f]{7} playbooks$/)]);
    expect(c.lines).toEqual(expect.arrayContaining(['hello world', 'token=from-env-secret', '{"region":"eu"}', '0']));
    expect(readdirSync(tmpRoot)).toEqual([]);
  });

  it('fails with the exit code, never from the log text', async () => {
    const c = collect();
    const result = await new LocalJob(
      spec({ repository: { url: repo, branch: 'main', key: none, knownHosts: [] }, playbook: 'fail.sh' }),
      { tmpRoot, path: process.env.PATH ?? '', events: c.events },
    ).run();
    expect(result).toEqual({ status: TaskStatus.Error });
    expect(c.lines).toContain('failing');
    expect(c.lines).toContain('Running app failed: exit status 4');
  });

  it('runs ansible-playbook with a static inventory, extra vars from a 0600 file and a vault password file', async () => {
    const c = collect();
    const result = await new LocalJob(
      spec({
        app: AppId.Ansible,
        playbook: 'site.yml',
        repository: { url: repo, branch: 'main', key: none, knownHosts: [] },
        inventory: {
          type: 'static',
          inventory: 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
          sshKey: none,
          becomeKey: none,
        },
        extraVars: { region: 'eu', semaphore_vars: { task_details: { id: 1, username: 'admin', url: null } } },
        vaults: [{ name: 'prod', password: 'vault-pw' }],
      }),
      { tmpRoot, path: process.env.PATH ?? '', events: c.events },
    ).run();
    expect({ result, tail: c.lines.slice(-15) }).toMatchObject({ result: { status: TaskStatus.Success } });
    expect(c.lines.some((l) => l.includes('region=eu secret=none'))).toBe(true);
    expect(c.lines.join('\n')).not.toContain('vault-pw');
    expect(existsSync(tmpRoot) ? readdirSync(tmpRoot) : []).toEqual([]);
  }, 60_000);

  it('stops a running job: the whole process group ends and the result is stopped', async () => {
    const c = collect();
    const bare = createGitRepository(join(root, 'slow'), { 'run.sh': 'echo started; sleep 60\n' });
    const job = new LocalJob(spec({ repository: { url: bare, branch: 'main', key: none, knownHosts: [] } }), {
      tmpRoot,
      path: process.env.PATH ?? '',
      events: {
        ...c.events,
        log: (l) => {
          c.lines.push(l);
          if (l === 'started') void job.stop();
        },
      },
      killGraceMs: 500,
    });
    expect(await job.run()).toEqual({ status: TaskStatus.Stopped });
  });
});
