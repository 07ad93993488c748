import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createGitRepository,
  createLocalUser,
  spawnRunnerProcess,
  startApiStack,
  startSshd,
  type ApiClient,
  type ApiStack,
  type LocalUser,
  type ManagedProcess,
  type SshdServer,
} from '@semaphore/testing';
import {
  authorizedKeysConfig,
  encryptString,
  hex,
  localPlaybook,
  scenarioSecrets,
  sharedFifos,
  sitePlaybook,
  writeFifoIfRead,
  type KeyPair,
  createProjectObjects,
  type Ids,
  type ScenarioSecrets,
} from './ansible-ssh-fixtures';
import { dumpRedis, filesContaining, processCommandLines } from './secret-scan-helpers';
import { WsClient, type WsMessage } from './task-events-helpers';

const REGISTRATION_TOKEN = 'e2e-registration-token-ansible-ssh';
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/**
 * The machine side: an sshd on loopback that lets root (git) and a throwaway login user (ansible) in by key, a
 * second throwaway user with a password to `su` to, the repositories, the FIFOs the become task meets the test at.
 */
interface Scenario {
  root: string;
  sshd: SshdServer;
  login: LocalUser;
  become: LocalUser;
  secrets: ScenarioSecrets;
  deployKey: KeyPair;
  inventoryKey: KeyPair;
  /** `ssh://root@127.0.0.1:<port>/...`: the playbook repository, served by the loopback sshd. */
  siteSshUrl: string;
  /** `file://` repositories: a playbook with galaxy requirements, and the inventory repository. */
  localUrl: string;
  inventoryUrl: string;
  readyFifo: string;
  goFifo: string;
  vaultPlaintext: string;
  hostKnownHostsLine: string;
  /** The deploy key's public key posing as the host key. */
  wrongKnownHostsLine: string;
  cleanups: Array<() => Promise<void>>;
}

async function startScenario(): Promise<Scenario> {
  if (process.getuid?.() !== 0) {
    throw new Error('this e2e test needs root: it creates two local users (a real `su` needs a real password)');
  }
  const root = mkdtempSync(join(tmpdir(), 'semtest-ans-'));
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(root, { recursive: true, force: true })];
  try {
    const { secrets, deployKey, inventoryKey } = scenarioSecrets();
    const login = await createLocalUser('semtest-l', `unused-${hex(8)}`);
    cleanups.push(() => login.remove());
    const become = await createLocalUser('semtest-b', secrets.becomePassword);
    cleanups.push(() => become.remove());
    const keys = authorizedKeysConfig(root, { root: deployKey.public, [login.name]: inventoryKey.public });
    const sshd = await startSshd({ extraConfig: [keys] });
    cleanups.push(() => sshd.stop());
    const scan = sharedFifos(root);
    const vaultPlaintext = `vaulted-${hex(6)}`;
    const site = createGitRepository(join(root, 'site'), {
      'site.yml': sitePlaybook(scan.dir),
      'vault.yml': encryptString(root, secrets.vaultPassword, 'vaulted_word', vaultPlaintext),
    });
    const role = createGitRepository(join(root, 'role'), {
      'tasks/main.yml': '- ansible.builtin.debug:\n    msg: "git role at {{ role_path }}"\n',
      'meta/main.yml': 'galaxy_info: {author: t, description: t, license: MIT}\ndependencies: []\n',
    });
    return {
      root,
      sshd,
      login,
      become,
      secrets,
      deployKey,
      inventoryKey,
      siteSshUrl: `ssh://root@127.0.0.1:${sshd.port}${site.replace('file://', '')}`,
      localUrl: createGitRepository(join(root, 'local'), {
        'local.yml': localPlaybook(),
        'requirements.yml': `- src: git+${role}\n  name: e2e_git_role\n  version: main\n`,
      }),
      inventoryUrl: createGitRepository(join(root, 'inventories'), {
        'hosts/local.ini': 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n',
      }),
      readyFifo: scan.ready,
      goFifo: scan.go,
      vaultPlaintext,
      hostKnownHostsLine: `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`,
      wrongKnownHostsLine: `[127.0.0.1]:${sshd.port} ${deployKey.public.trim()}`,
      cleanups,
    };
  } catch (err) {
    await stopScenario(cleanups);
    throw err;
  }
}

async function stopScenario(cleanups: Array<() => Promise<void>>): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) await cleanup().catch(() => undefined);
}

/**
 * Ansible as users run it, with the real processes: the api, a runner, and OpenSSH on loopback. The playbook
 * repository is cloned over SSH with a deploy key and the host key pinned in the project's known hosts; ansible logs
 * in with a passphrase-protected key, `su`s with a become password and decrypts a vaulted variable. While the become
 * task runs, the test looks for the secrets everywhere they must not be.
 */
describe('ansible over SSH: api + runner + loopback sshd', () => {
  let scenario: Scenario;
  let stack: ApiStack;
  let runner: ManagedProcess;
  let admin: ApiClient;
  let projectPath: string;
  let knownHostsKey: string;
  let ids: Ids;

  const secretList = (): string[] => Object.values(scenario.secrets);

  beforeAll(async () => {
    scenario = await startScenario();
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN });
    runner = spawnRunnerProcess({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      env: {
        SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
        SEMAPHORE_RUNNER_TOKEN_FILE: join(scenario.root, 'runner.token'),
        SEMAPHORE_TMP_PATH: join(scenario.root, 'work'),
      },
    });
    await runner.waitForLog((l) => l.msg === 'runner ready', 30_000);
    admin = await (await stack.loggedIn({ admin: true })).client.tokenClient();
    const project = await admin.post<{ id: number }>('/api/projects', { name: 'ansible-ssh' });
    projectPath = `/api/project/${project.body.id}`;
    knownHostsKey = `project.${project.body.id}.ssh.known_hosts`;
    await setKnownHosts(scenario.hostKnownHostsLine);
    ids = await createProjectObjects(admin, projectPath, scenario);
  }, 180_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    if (scenario) await stopScenario(scenario.cleanups);
  });

  async function setKnownHosts(value: string): Promise<void> {
    expect((await admin.post('/api/options', { key: knownHostsKey, value })).status).toBe(200);
  }

  async function startTask(templateId: number): Promise<number> {
    const created = await admin.post<{ id: number }>(`${projectPath}/tasks`, { template_id: templateId });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const finished = (taskId: number) => (ms: WsMessage[]) =>
    ms.some((m) => m.task_id === taskId && m.type === 'update' && ['success', 'error'].includes(String(m.status)));

  async function output(taskId: number): Promise<string[]> {
    const res = await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`);
    return res.body.map((o) => o.output.replace(ANSI, ''));
  }

  async function taskStatus(taskId: number): Promise<string> {
    return (await admin.get<{ status: string }>(`${projectPath}/tasks/${taskId}`)).body.status;
  }

  it('clones over ssh, logs in with a passphrase key, becomes with su, decrypts the vault; no secret leaks', async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${admin.bearerToken}` });
    let released = false;
    try {
      const taskId = await startTask(ids.sshTemplate);
      // The become task writes the become user's name to the FIFO, then waits: `su` and the ssh session are live.
      const ready = readFile(scenario.readyFifo, 'utf8');
      const early = ws.waitFor(finished(taskId), 'the task to end', 120_000);
      early.catch(() => undefined); // awaited below; a timeout must not surface as an unhandled rejection first
      const became = await Promise.race([ready, early.then(() => null)]);
      if (became === null) await writeFile(scenario.readyFifo, ''); // let our reader go
      expect({ became, output: became === null ? await output(taskId) : [] }).toEqual({
        became: `${scenario.become.name}\n`,
        output: [],
      });

      // While it runs: no secret on any command line; the ones the run needs only in 0600 files.
      const cmdlines = processCommandLines();
      expect(cmdlines.length).toBeGreaterThan(5);
      expect(cmdlines.some((c) => c.includes('ansible-playbook'))).toBe(true);
      for (const secret of secretList()) expect(cmdlines.filter((c) => c.includes(secret))).toEqual([]);
      const work = join(scenario.root, 'work');
      const [workspace] = readdirSync(work).filter((d) => d.startsWith(`task_${taskId}_`));
      const holders = filesContaining(join(work, workspace), secretList());
      expect(holders.map((h) => ({ file: h.path.slice(work.length + workspace.length + 2), mode: h.mode }))).toEqual(
        expect.arrayContaining([
          { file: 'extra_vars.json', mode: 0o600 },
          { file: 'vault_0', mode: 0o600 },
        ]),
      );
      expect(holders.filter((h) => h.mode !== 0o600)).toEqual([]);
      expect(holders.find((h) => h.path.endsWith('extra_vars.json'))?.secrets).toEqual([
        scenario.secrets.becomePassword,
      ]);
      expect(filesContaining(scenario.login.home, secretList())).toEqual([]);
      expect(statSync(join(work, workspace)).mode & 0o777).toBe(0o700);
      await writeFile(scenario.goFifo, 'go\n');
      released = true;

      await early;
      const stored = await output(taskId);
      expect({ status: await taskStatus(taskId), tail: stored.slice(-15) }).toMatchObject({ status: 'success' });
      expect(stored).toEqual(
        expect.arrayContaining([`Cloning Repository ${scenario.siteSshUrl.replace('root@', '')}`]),
      );
      expect(stored.join('\n')).toContain(
        `"msg": "login=${scenario.login.name} become-said=go vaulted=${scenario.vaultPlaintext}"`,
      );
      const numbered = stored.flatMap((l) => /"msg": "line (\d+)"/.exec(l)?.[1] ?? []).map(Number);
      expect(numbered).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

      // Every persisted line reached the WebSocket client, in the same order.
      const persisted = (await admin.get<Array<{ output: string }>>(`${projectPath}/tasks/${taskId}/output`)).body;
      await ws.waitFor(
        (ms) => ms.filter((m) => m.task_id === taskId && m.type === 'log').length >= persisted.length - 1,
        'all log lines',
        30_000,
      );
      const relayed = ws.of(taskId, 'log').map((m) => String(m.output));
      expect(relayed).toEqual(persisted.map((o) => o.output).slice(persisted.length - relayed.length));

      // Nor anywhere else: Redis (every key, the event stream), the api's answers, the processes' logs.
      const redisDump = await dumpRedis(stack.redis.client, stack.redis.prefix);
      const answers = await Promise.all(
        ['keys', 'inventory', 'templates', 'repositories', `tasks/${taskId}`, `tasks/${taskId}/output`, 'tasks'].map(
          async (p) => (await admin.get(`${projectPath}/${p}`)).text,
        ),
      );
      answers.push((await admin.get('/api/options')).text);
      const logs = [...runner.stdout, ...runner.stderr, ...stack.api.process.stdout, ...stack.api.process.stderr];
      for (const secret of secretList()) {
        expect(redisDump).not.toContain(secret);
        for (const text of [...answers, ...logs]) expect(text).not.toContain(secret);
      }
      expect(existsSync(join(work, workspace))).toBe(false);
    } finally {
      // A failed check must not leave the become task waiting on the FIFO.
      if (!released) writeFifoIfRead(scenario.goFifo, 'go\n');
      ws.close();
    }
  }, 240_000);

  it('clones a file:// repository, reads the inventory from its own repository, installs galaxy roles', async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${admin.bearerToken}` });
    try {
      const taskId = await startTask(ids.localTemplate);
      await ws.waitFor(finished(taskId), 'the task to end', 120_000);
      const stored = await output(taskId);
      expect({ status: await taskStatus(taskId), tail: stored.slice(-15) }).toMatchObject({ status: 'success' });
      const text = stored.join('\n');
      const workspace = `${join(scenario.root, 'work')}/task_${taskId}_[0-9a-f]+`;
      expect(stored).toEqual(
        expect.arrayContaining([
          `Cloning Repository ${scenario.localUrl}`,
          `Cloning Repository ${scenario.inventoryUrl}`,
          'ansible-galaxy role install -r requirements.yml --force',
        ]),
      );
      expect(text).toMatch(new RegExp(`"msg": "git role at ${workspace}/\\.ansible/roles/e2e_git_role"`));
      const url = `http://localhost:${stack.api.port}/project/${projectPath.split('/').pop()}/history\\?t=${taskId}`;
      expect(text).toMatch(
        new RegExp(`"msg": "inventory=${workspace}/inventory_repository/hosts/local.ini url=${url} user=\\S+"`),
      );
    } finally {
      ws.close();
    }
  }, 180_000);

  it("fails the clone when the pinned host key is not the server's, saying why", async () => {
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${admin.bearerToken}` });
    await setKnownHosts(scenario.wrongKnownHostsLine);
    try {
      const taskId = await startTask(ids.sshTemplate);
      await ws.waitFor(finished(taskId), 'the task to end', 120_000);
      expect(await taskStatus(taskId)).toBe('error');
      const stored = await output(taskId);
      expect(stored).toContain(
        `Running app failed: cannot clone ${scenario.siteSshUrl.replace('root@', '')}: the SSH host key of the ` +
          'server does not match the known hosts (options ssh.known_hosts, project.<id>.ssh.known_hosts)',
      );
      expect(stored).toContain('Host key verification failed.');
      expect(stored.some((l) => l.startsWith('PLAY'))).toBe(false);
    } finally {
      await setKnownHosts(scenario.hostKnownHostsLine);
      ws.close();
    }
  }, 180_000);

  it('refuses git branches that start with "-" (400) before anything reaches git', async () => {
    const marker = join(scenario.root, 'pwned');
    const branch = `--upload-pack=touch ${marker}`;
    const before = (await admin.get<unknown[]>(`${projectPath}/tasks`)).body.length;
    const repo = await admin.post<{ error: string }>(`${projectPath}/repositories`, {
      name: 'evil',
      git_url: scenario.localUrl,
      git_branch: branch,
      ssh_key_id: ids.noKey,
    });
    expect({ status: repo.status, error: repo.body.error }).toEqual({
      status: 400,
      error: expect.stringMatching(/git_branch/),
    });
    const template = await admin.put<{ error: string }>(`${projectPath}/templates/${ids.localTemplate}`, {
      id: ids.localTemplate,
      name: 'local with galaxy',
      app: 'ansible',
      playbook: 'local.yml',
      repository_id: ids.localRepo,
      inventory_id: ids.fileInventory,
      allow_override_branch_in_task: true,
      git_branch: '-b',
    });
    expect({ status: template.status, error: template.body.error }).toEqual({
      status: 400,
      error: expect.stringMatching(/git_branch/),
    });
    const task = await admin.post<{ error: string }>(`${projectPath}/tasks`, {
      template_id: ids.localTemplate,
      git_branch: branch,
    });
    expect({ status: task.status, error: task.body.error }).toEqual({
      status: 400,
      error: expect.stringMatching(/git_branch/),
    });
    expect((await admin.get<unknown[]>(`${projectPath}/tasks`)).body.length).toBe(before);
    expect(
      (await admin.get<Array<{ name: string }>>(`${projectPath}/repositories`)).body.map((r) => r.name),
    ).not.toContain('evil');
    expect(existsSync(marker)).toBe(false);
  });
});
