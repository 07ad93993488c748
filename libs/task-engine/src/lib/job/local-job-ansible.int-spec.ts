import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { utils } from 'ssh2';
import { AppId, TaskStatus, type JobInventory, type JobRepository, type JobSpec } from '@semaphore/models';
import { createGitRepository, startSshd, type SshdServer } from '@semaphore/testing';
import { LocalJob } from './local-job';

const none = { type: 'none' } as const;
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const LOCAL_HOST = 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n';

function spec(over: Partial<JobSpec>): JobSpec {
  return {
    taskId: 7,
    projectId: 1,
    templateId: 1,
    claimGeneration: 1,
    firstSeq: 1,
    version: null,
    app: AppId.Ansible,
    username: 'admin',
    playbook: 'local.yml',
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

function staticInventory(text: string, over: Partial<JobInventory> = {}): JobInventory {
  return { type: 'static', inventory: text, sshKey: none, becomeKey: none, ...over };
}

function collect() {
  const lines: string[] = [];
  const commits: string[] = [];
  return {
    lines,
    commits,
    text: () => lines.join('\n'),
    events: {
      log: (l: string) => lines.push(l),
      status: () => undefined,
      commit: (h: string) => commits.push(h),
    },
  };
}

/** Command lines of the processes that mention `text` (e.g. a workspace path). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(text)) found.push(cmdline);
    } catch {
      // the process ended meanwhile
    }
  }
  return found;
}

/** Files of a directory tree, for fixtures. */
function writeTree(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

describe('LocalJob: inventories in their own repository, galaxy requirements, SSH with known hosts', () => {
  let root: string;
  let tmpRoot: string;
  let templateRepo: string;
  const run = (s: JobSpec, c = collect()) => new LocalJob(s, { tmpRoot, path: PATH, events: c.events }).run();

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'semtest-ansjob-'));
    tmpRoot = join(root, 'tasks');
    templateRepo = createGitRepository(join(root, 'template'), {
      'local.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - ansible.builtin.debug:',
        '        msg: "inventory={{ inventory_file }} group={{ where | default(\'none\') }}"',
      ].join('\n'),
      'remote.yml': [
        '- hosts: all',
        '  gather_facts: false',
        '  tasks:',
        '    - ansible.builtin.command: id -un',
        '      register: who',
        '    - ansible.builtin.debug:',
        '        msg: "remote user={{ who.stdout }}"',
      ].join('\n'),
    });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  // Every run cleans up: no workspace left, and no process of it (ssh multiplexers included) outlives it.
  afterEach(() => {
    expect(existsSync(tmpRoot) ? readdirSync(tmpRoot) : []).toEqual([]);
    expect(processesMentioning(`${tmpRoot}/`)).toEqual([]);
  });

  describe('file inventory in another repository', () => {
    let inventoryRepo: JobRepository;

    beforeAll(() => {
      const url = createGitRepository(join(root, 'inventories'), {
        'hosts/local.ini': `[web]\n${LOCAL_HOST}`,
        'hosts/group_vars/web.yml': 'where: from-inventory-repo\n',
      });
      // A symlink pointing out of the repository, committed to it.
      const work = join(root, 'inventories', 'work');
      symlinkSync('/etc/hostname', join(work, 'escape.ini'));
      const env = { PATH, HOME: root, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't' };
      const git = (...args: string[]) =>
        execFileSync('git', args, { cwd: work, env: { ...env, GIT_COMMITTER_EMAIL: 't@e' } });
      git('add', 'escape.ini');
      git('commit', '-q', '-m', 'escape');
      git('push', '-q', url.replace('file://', ''), 'main');
      inventoryRepo = { url, branch: 'main', key: none, knownHosts: [] };
    });

    const fileInventory = (path: string): JobInventory => ({
      type: 'file',
      inventory: path,
      sshKey: none,
      becomeKey: none,
      repository: inventoryRepo,
    });

    it('clones the inventory repository into the workspace and reads the path inside it', async () => {
      const c = collect();
      const result = await run(
        spec({
          repository: { url: templateRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: fileInventory('hosts/local.ini'),
        }),
        c,
      );
      expect({ result, tail: c.lines.slice(-8) }).toMatchObject({ result: { status: TaskStatus.Success } });
      expect(c.lines).toContain(`Cloning Repository ${inventoryRepo.url}`);
      // The inventory's own group_vars apply, so ansible read the file where it lies in the inventory checkout.
      const msg = c.lines.find((l) => l.includes('"msg": "inventory='));
      expect(msg).toMatch(new RegExp(`inventory=${tmpRoot}/task_7_[0-9a-f]+/inventory_repository/hosts/local.ini`));
      expect(msg).toContain('group=from-inventory-repo');
      expect(c.commits).toHaveLength(1); // only the template repository reports its commit
    }, 60_000);

    it.each([
      ['hosts/../../../etc/passwd', 'INVALID_TASK', 'inventory must not contain ".."'],
      ['missing.ini', 'INVENTORY_NOT_FOUND', 'inventory file missing.ini not found in the inventory repository'],
      ['escape.ini', 'INVENTORY_NOT_FOUND', 'inventory file escape.ini points outside the inventory repository'],
    ])('refuses the inventory path %s', async (path, errorCode, line) => {
      const c = collect();
      const result = await run(
        spec({
          repository: { url: templateRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: fileInventory(path),
        }),
        c,
      );
      expect(result).toEqual({ status: TaskStatus.Error, errorCode });
      expect(c.lines).toContain(`Running app failed: ${line}`);
      expect(c.lines.some((l) => l.startsWith('PLAY'))).toBe(false);
    });
  });

  describe('galaxy requirements', () => {
    const roleName = `semtest_role_${randomBytes(4).toString('hex')}`;
    let galaxyRepo: string;

    beforeAll(() => {
      const src = join(root, 'galaxy-src');
      writeTree(src, {
        [`${roleName}/tasks/main.yml`]: '- ansible.builtin.debug:\n    msg: "tar role at {{ role_path }}"\n',
        [`${roleName}/meta/main.yml`]: 'galaxy_info: {author: t, description: t, license: MIT}\ndependencies: []\n',
        'col/galaxy.yml': 'namespace: semtestns\nname: semtestcol\nversion: 1.0.0\nreadme: README.md\nauthors: [t]\n',
        'col/README.md': 'test\n',
        'col/roles/greet/tasks/main.yml': '- ansible.builtin.debug:\n    msg: "collection role at {{ role_path }}"\n',
      });
      execFileSync('tar', ['-czf', join(root, 'role.tar.gz'), '-C', src, roleName]);
      execFileSync('ansible-galaxy', ['collection', 'build', join(src, 'col'), '--output-path', root], {
        env: { PATH, HOME: root },
      });
      const gitRole = createGitRepository(join(root, 'git-role'), {
        'tasks/main.yml': '- ansible.builtin.debug:\n    msg: "git role at {{ role_path }}"\n',
        'meta/main.yml': 'galaxy_info: {author: t, description: t, license: MIT}\ndependencies: []\n',
      });
      galaxyRepo = createGitRepository(join(root, 'galaxy-template'), {
        'deploy/site.yml': [
          '- hosts: all',
          '  gather_facts: false',
          `  roles: [${roleName}, ${roleName}_git]`,
          '  tasks:',
          '    - ansible.builtin.include_role:',
          '        name: semtestns.semtestcol.greet',
        ].join('\n'),
        'deploy/collections/requirements.yml': `collections:\n  - name: ${root}/semtestns-semtestcol-1.0.0.tar.gz\n    type: file\n`,
        // The old format (a plain list of roles): a collection install of it would fail, so it is skipped.
        'deploy/requirements.yml': [
          `- src: ${root}/role.tar.gz`,
          `  name: ${roleName}`,
          `- src: git+${gitRole}`,
          `  name: ${roleName}_git`,
          '  version: main',
        ].join('\n'),
        'broken/site.yml': '- hosts: all\n  tasks: []\n',
        'broken/roles/requirements.yml': `- src: ${root}/missing.tar.gz\n  name: missing\n`,
      });
    });

    it('installs collections and roles into the task workspace before the playbook uses them', async () => {
      const c = collect();
      const result = await run(
        spec({
          playbook: 'deploy/site.yml',
          repository: { url: galaxyRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: staticInventory(LOCAL_HOST),
        }),
        c,
      );
      expect({ result, tail: c.lines.slice(-10) }).toMatchObject({ result: { status: TaskStatus.Success } });
      expect(c.lines).toEqual(
        expect.arrayContaining([
          'ansible-galaxy collection install -r deploy/collections/requirements.yml --force',
          'deploy/requirements.yml has no collections. Skip galaxy collection install process.',
          'No deploy/roles/requirements.yml file found. Skip galaxy role install process.',
          'ansible-galaxy role install -r deploy/requirements.yml --force',
        ]),
      );
      const galaxyAt = c.lines.indexOf('ansible-galaxy role install -r deploy/requirements.yml --force');
      expect(c.lines.findIndex((l) => l.startsWith('PLAY'))).toBeGreaterThan(galaxyAt);
      const workspace = `${tmpRoot}/task_7_[0-9a-f]+/.ansible`;
      for (const what of ['tar role', 'git role', 'collection role']) {
        expect(c.text()).toMatch(new RegExp(`"msg": "${what} at ${workspace}/`));
      }
      // Nothing went to the runner's own home, where parallel tasks would share it.
      expect(existsSync(join(homedir(), '.ansible', 'roles', roleName))).toBe(false);
    }, 120_000);

    it('fails the task when ansible-galaxy fails, before the playbook runs', async () => {
      const c = collect();
      const result = await run(
        spec({
          playbook: 'broken/site.yml',
          repository: { url: galaxyRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: staticInventory(LOCAL_HOST),
        }),
        c,
      );
      expect(result).toEqual({ status: TaskStatus.Error, errorCode: 'GALAXY_INSTALL_FAILED' });
      expect(c.lines).toContain(
        'Running app failed: ansible-galaxy role install -r broken/roles/requirements.yml failed: exit status 1',
      );
      expect(c.lines.some((l) => l.startsWith('PLAY'))).toBe(false);
    }, 60_000);
  });

  describe('stopping during galaxy installs', () => {
    it('stops ansible-galaxy (its process group) and ends as stopped, before the playbook', async () => {
      const sockets: Socket[] = [];
      let connected!: () => void;
      const galaxyConnected = new Promise<void>((resolve) => (connected = resolve));
      const server = createServer((socket) => {
        sockets.push(socket);
        connected();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const repo = createGitRepository(join(root, 'hanging'), {
        'site.yml': '- hosts: all\n  tasks: []\n',
        'roles/requirements.yml': `- src: http://127.0.0.1:${port}/role.tar.gz\n  name: hanging\n`,
      });
      const c = collect();
      const job = new LocalJob(
        spec({
          playbook: 'site.yml',
          repository: { url: repo, branch: 'main', key: none, knownHosts: [] },
          inventory: staticInventory(LOCAL_HOST),
        }),
        { tmpRoot, path: PATH, events: c.events, killGraceMs: 1_000 },
      );
      try {
        const result = job.run();
        await galaxyConnected;
        await job.stop();
        expect(await result).toEqual({ status: TaskStatus.Stopped });
        expect(c.lines).toContain('ansible-galaxy role install -r roles/requirements.yml --force');
        expect(c.lines.some((l) => l.startsWith('PLAY') || l.startsWith('Running app failed'))).toBe(false);
      } finally {
        sockets.forEach((s) => s.destroy());
        server.close();
      }
    }, 60_000);
  });

  describe('over SSH with known hosts', () => {
    let sshd: SshdServer;
    let bare: string;
    const passphrase = `pp-${randomBytes(6).toString('hex')}`;
    const protectedKey = utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 16 });

    beforeAll(async () => {
      sshd = await startSshd({ extraAuthorizedKeys: [protectedKey.public.trim()] });
      bare = templateRepo.replace('file://', '');
    });
    afterAll(() => sshd?.stop());

    const hostLine = () => `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`;
    const wrongLine = () => `[127.0.0.1]:${sshd.port} ${sshd.publicKey}`;
    const sshRepo = (knownHosts: string[]): JobRepository => ({
      url: `ssh://${sshd.username}@127.0.0.1:${sshd.port}${bare}`,
      branch: 'main',
      key: { type: 'ssh', login: sshd.username, privateKey: sshd.privateKey, passphrase: '' },
      knownHosts,
    });
    const remoteInventory = (knownHosts: string[]) =>
      staticInventory(
        `target ansible_host=127.0.0.1 ansible_port=${sshd.port} ansible_python_interpreter=/usr/bin/python3\n`,
        {
          sshKey: { type: 'ssh', login: sshd.username, privateKey: protectedKey.private, passphrase },
          knownHosts,
        },
      );

    it('clones over ssh with the host key verified', async () => {
      const c = collect();
      const result = await run(spec({ repository: sshRepo([hostLine()]), inventory: staticInventory(LOCAL_HOST) }), c);
      expect({ result, tail: c.lines.slice(-8) }).toMatchObject({ result: { status: TaskStatus.Success } });
      expect(c.commits).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/)]);
    }, 60_000);

    it.each([
      ['a wrong pinned host key', () => [wrongLine()], 'does not match the known hosts'],
      ['no known hosts', () => [], 'is unknown: no known hosts are set'],
    ])(
      'refuses to clone with %s, saying why',
      async (_, knownHosts, why) => {
        const c = collect();
        const repo = sshRepo(knownHosts());
        const result = await run(spec({ repository: repo, inventory: staticInventory(LOCAL_HOST) }), c);
        expect(result).toEqual({ status: TaskStatus.Error, errorCode: 'GIT_CHECKOUT_FAILED' });
        const shown = repo.url.replace(`${sshd.username}@`, ''); // log lines carry no user information
        expect(c.lines).toContain(
          `Running app failed: cannot clone ${shown}: the SSH host key of the server ${why}` +
            ' (options ssh.known_hosts, project.<id>.ssh.known_hosts)',
        );
        expect(c.text()).toContain('Host key verification failed.');
      },
      60_000,
    );

    it('runs ansible over ssh with a passphrase-protected key from the agent and the host key verified', async () => {
      const c = collect();
      const result = await run(
        spec({
          playbook: 'remote.yml',
          repository: { url: templateRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: remoteInventory([hostLine()]),
        }),
        c,
      );
      expect({ result, tail: c.lines.slice(-10) }).toMatchObject({ result: { status: TaskStatus.Success } });
      expect(c.text()).toContain(`"msg": "remote user=${sshd.username}"`);
      expect(c.text()).not.toContain(passphrase);
    }, 90_000);

    it('fails the ansible run when the host key does not match the known hosts', async () => {
      const c = collect();
      const result = await run(
        spec({
          playbook: 'remote.yml',
          repository: { url: templateRepo, branch: 'main', key: none, knownHosts: [] },
          inventory: remoteInventory([wrongLine()]),
        }),
        c,
      );
      expect(result).toEqual({ status: TaskStatus.Error });
      expect(c.text()).toMatch(/UNREACHABLE!/);
      expect(c.text()).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    }, 90_000);
  });
});
