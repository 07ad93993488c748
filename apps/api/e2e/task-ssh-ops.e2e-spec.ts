import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import {
  startApiStack,
  startSshd,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
  type SshdServer,
} from '@semaphore/testing';
import { createObject } from './ansible-ssh-fixtures';
import { processCommandLines } from './secret-scan-helpers';
import { WsClient } from './task-events-helpers';
import { E2E_REGISTRATION_TOKEN, createBashProject, startRunner, type BashProject } from './task-fixtures';
import { waitFor } from './task-queue.e2e-helpers';

interface WireTask {
  id: number;
  status: string;
  error_code: string | null;
  progress: {
    bytes_done: number | null;
    bytes_total: number | null;
    files_done: number | null;
    files_total: number | null;
    paused: boolean;
  } | null;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const FINISHED = ['success', 'error', 'stopped', 'rejected'];

/**
 * ssh and sftp templates with the real processes: the api, a runner, and three OpenSSH servers on loopback (the
 * "hosts" web1..web3, each its own port, logging in as root with one passphrase-protected key).
 */
describe('ssh and sftp task types: api + runner + three loopback sshd', () => {
  let root: string;
  let stack: ApiStack;
  let runner: ManagedProcess;
  let admin: ApiClient;
  let servers: SshdServer[];
  let project: BashProject;
  let projectId: number;
  let keyId: number;
  let inventoryId: number;
  let knownHostsKey: string;
  const passphrase = `pp-${randomBytes(6).toString('hex')}`;
  const envSecret = `env-secret-${randomBytes(6).toString('hex')}`;
  const bigFile = randomBytes(48 * 1024 * 1024);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-sshops-'));
    const key = utils.generateKeyPairSync('ed25519', { passphrase, cipher: 'aes256-ctr', rounds: 16 });
    servers = await Promise.all([0, 1, 2].map(() => startSshd({ extraAuthorizedKeys: [key.public] })));
    stack = await startApiStack({ SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
    });
    admin = (await stack.withToken({ admin: true })).client;
    project = await createBashProject(
      admin,
      root,
      'sshops',
      {
        'scripts/report.sh': 'echo started; sleep 2; echo "script on $(hostname) with $E2E_SECRET"\n',
        'site/index.html': '<h1>hello</h1>\n',
        'site/app/config.json': '{"a": 1}\n',
        'site/run.sh': { content: '#!/bin/sh\necho run\n', mode: 0o755 },
        'big.bin': bigFile,
      },
      { E2E_SECRET: envSecret },
    );
    projectId = Number(project.projectPath.split('/').pop());
    knownHostsKey = `project.${projectId}.ssh.known_hosts`;
    keyId = await createObject(admin, project.projectPath, 'keys', {
      name: 'fleet key',
      type: 'ssh',
      ssh: { login: servers[0].username, passphrase, private_key: key.private },
    });
    const inventory = servers.map((s, i) => `web${i + 1} ansible_host=127.0.0.1 ansible_port=${s.port}`).join('\n');
    inventoryId = await createObject(admin, project.projectPath, 'inventory', {
      name: 'loopback fleet',
      type: 'static',
      inventory: `[web]\n${inventory}\n`,
      ssh_key_id: keyId,
    });
    await setKnownHosts(servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}`));
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    await stack?.stop();
    await Promise.all((servers ?? []).map((s) => s.stop()));
    rmSync(root, { recursive: true, force: true });
  });

  async function setKnownHosts(lines: string[]): Promise<void> {
    expect((await admin.post('/api/options', { key: knownHostsKey, value: lines.join('\n') })).status).toBe(200);
  }

  async function template(name: string, app: 'ssh' | 'sftp', sshOptions: Record<string, unknown>) {
    const created = await admin.post<{ id: number }>(`${project.projectPath}/templates`, {
      name,
      app,
      playbook: '',
      repository_id: project.repositoryId,
      environment_id: project.environmentId,
      inventory_id: inventoryId,
      ssh_options: sshOptions,
    });
    if (created.status !== 201) throw new Error(`template: ${created.status} ${created.text}`);
    return created.body.id;
  }

  async function run(templateId: number, body: Record<string, unknown> = {}): Promise<number> {
    const created = await admin.post<{ id: number }>(`${project.projectPath}/tasks`, {
      template_id: templateId,
      ...body,
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  async function finished(taskId: number, timeoutMs = 60_000): Promise<WireTask> {
    return waitFor(
      `task ${taskId} to finish`,
      async () => {
        const task = (await admin.get<WireTask>(`${project.projectPath}/tasks/${taskId}`)).body;
        return FINISHED.includes(task.status) ? task : undefined;
      },
      timeoutMs,
    );
  }

  async function output(taskId: number): Promise<string[]> {
    return (await admin.get<Array<{ output: string }>>(`${project.projectPath}/tasks/${taskId}/output`)).body.map(
      (l) => l.output,
    );
  }

  /** `SSH_CONNECTION` is "client-ip client-port server-ip server-port": each host knows its port. */
  const failOnThird = () =>
    `port=$(echo "$SSH_CONNECTION" | cut -d' ' -f4); echo "hello from $port secret=$E2E_SECRET"; ` +
    `[ "$port" != "${servers[2].port}" ] || { echo "third host fails" >&2; exit 7; }`;

  it('runs a command on every host with per-host lines, exit codes and a summary; one failing host fails the task', async () => {
    const templateId = await template('uptime everywhere', 'ssh', { command: failOnThird(), parallelism: 2 });
    const task = await finished(await run(templateId));
    expect(task).toMatchObject({ status: 'error', error_code: 'SSH_COMMAND_FAILED' });
    const lines = await output(task.id);
    for (const [i, s] of servers.entries()) {
      expect(lines).toContain(`[web${i + 1}] hello from ${s.port} secret=${envSecret}`);
    }
    expect(lines).toContain('[web3] third host fails');
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^web1: ok \(exit 0, /)]));
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^web3: FAILED \(exit 7, /)]));
    expect(lines).toContain('Summary: 3 host(s), 2 ok, 1 failed');
  });

  it('tolerates N failing hosts when the template says so, and honours the limit', async () => {
    const tolerant = await template('tolerant', 'ssh', { command: failOnThird(), tolerate_failures: 1 });
    const task = await finished(await run(tolerant));
    expect(task.status).toBe('success');
    expect(await output(task.id)).toContain('Summary: 3 host(s), 2 ok, 1 failed (1 tolerated)');

    const strict = await template('strict, limited', 'ssh', { command: failOnThird() });
    const limited = await finished(await run(strict, { limit: 'web1,web2' }));
    expect(limited.status).toBe('success');
    const lines = await output(limited.id);
    expect(lines).toContain('2 host(s): web1, web2');
    expect(lines.some((l) => l.startsWith('[web3]'))).toBe(false);
  });

  it('runs a repository script fed on stdin: while it runs, no command line holds the env secret', async () => {
    const templateId = await template('script', 'ssh', { script: 'scripts/report.sh', parallelism: 3 });
    const taskId = await run(templateId);
    await waitFor('the scripts to start', async () => {
      const lines = await output(taskId);
      return lines.filter((l) => l.endsWith('] started')).length === 3 ? true : undefined;
    });
    const cmdlines = processCommandLines();
    expect(cmdlines.some((c) => c.includes('/bin/sh -s'))).toBe(true);
    expect(cmdlines.filter((c) => c.includes(envSecret))).toEqual([]);
    const task = await finished(taskId);
    expect(task.status).toBe('success');
    const lines = await output(task.id);
    expect(lines.filter((l) => l.includes(`with ${envSecret}`))).toHaveLength(3);
  });

  it('refuses a changed host key with SSH_HOST_KEY_MISMATCH and never retries it', async () => {
    const wrong = `[127.0.0.1]:${servers[0].port} ${servers[1].hostPublicKey}`;
    await setKnownHosts([wrong, ...servers.slice(1).map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}`)]);
    try {
      const templateId = await template('pinned', 'ssh', {
        command: 'true',
        retry: { attempts: 3, backoff: 0.1, retry_on: ['SSH_CONNECTION_FAILED', 'SSH_TIMEOUT'] },
      });
      const task = await finished(await run(templateId));
      expect(task).toMatchObject({ status: 'error', error_code: 'SSH_HOST_KEY_MISMATCH' });
      const lines = await output(task.id);
      expect(lines.find((l) => l.startsWith('web1: FAILED'))).toMatch(/SSH_HOST_KEY_MISMATCH/);
      expect(lines.some((l) => l.includes('retrying'))).toBe(false);
    } finally {
      await setKnownHosts(servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}`));
    }
  });

  it('times a hung command out with SSH_TIMEOUT, and retries an unreachable host as the policy says', async () => {
    const hung = await template('hung', 'ssh', { command: 'sleep 60', command_timeout: 1 });
    const timedOut = await finished(await run(hung, { limit: 'web1' }));
    expect(timedOut).toMatchObject({ status: 'error', error_code: 'SSH_TIMEOUT' });

    const web1Port = servers[0].port;
    const unreachable = await admin.post<{ id: number }>(`${project.projectPath}/inventory`, {
      name: 'gone',
      type: 'static',
      inventory: `gone ansible_host=127.0.0.1 ansible_port=1\nweb1 ansible_host=127.0.0.1 ansible_port=${web1Port}\n`,
      ssh_key_id: keyId,
    });
    const goneInventory =
      unreachable.body?.id ??
      (await admin.get<Array<{ id: number; name: string }>>(`${project.projectPath}/inventory`)).body.find(
        (i) => i.name === 'gone',
      )?.id;
    const created = await admin.post<{ id: number }>(`${project.projectPath}/templates`, {
      name: 'retrying',
      app: 'ssh',
      repository_id: project.repositoryId,
      environment_id: project.environmentId,
      inventory_id: goneInventory,
      ssh_options: { command: 'true', connect_timeout: 2, retry: { attempts: 3, backoff: 0.2, backoff_factor: 1 } },
    });
    expect(created.status).toBe(201);
    const task = await finished(await run(created.body.id));
    expect(task).toMatchObject({ status: 'error', error_code: 'SSH_CONNECTION_FAILED' });
    const lines = await output(task.id);
    expect(lines.filter((l) => /^\[gone\] attempt \d of 3 failed \(SSH_CONNECTION_FAILED/.test(l))).toHaveLength(2);
    expect(lines.find((l) => l.startsWith('gone: FAILED'))).toMatch(/SSH_CONNECTION_FAILED: .*, 3 attempts\)$/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^web1: ok \(exit 0/)]));
  });

  it('verifies a host against a fingerprint pinned in the inventory when the project knows no key', async () => {
    await setKnownHosts([]);
    try {
      const s = servers[1];
      const pinned = await createObject(admin, project.projectPath, 'inventory', {
        name: 'pinned',
        type: 'static',
        inventory:
          `web2 ansible_host=127.0.0.1 ansible_port=${s.port} semaphore_host_key_fingerprint=${s.hostKeyFingerprintSha256}\n` +
          `web1 ansible_host=127.0.0.1 ansible_port=${servers[0].port}\n`,
        ssh_key_id: keyId,
      });
      const created = await admin.post<{ id: number }>(`${project.projectPath}/templates`, {
        name: 'pinned in inventory',
        app: 'ssh',
        repository_id: project.repositoryId,
        inventory_id: pinned,
        ssh_options: { command: 'true' },
      });
      const task = await finished(await run(created.body.id));
      expect(task).toMatchObject({ status: 'error', error_code: 'SSH_HOST_KEY_MISMATCH' });
      const lines = await output(task.id);
      expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^web2: ok \(exit 0/)]));
      expect(lines.find((l) => l.startsWith('web1: FAILED'))).toMatch(/SSH_HOST_KEY_MISMATCH/);
    } finally {
      await setKnownHosts(servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostPublicKey}`));
    }
  });

  it('accept_new trusts unknown hosts once, records their keys in the project, then verifies them', async () => {
    await setKnownHosts([]);
    const templateId = await template('accept new', 'ssh', { command: 'true', host_key_mode: 'accept_new' });
    const task = await finished(await run(templateId));
    expect(task.status).toBe('success');
    const lines = await output(task.id);
    for (const s of servers) {
      expect(lines).toContain(
        `Accepted the new host key of [127.0.0.1]:${s.port} (accept_new): ssh-ed25519 ${s.hostKeyFingerprintSha256}`,
      );
    }
    const recorded = await waitFor('the recorded host keys', async () => {
      const options = (await admin.get<Record<string, string>>('/api/options')).body;
      const value = options[knownHostsKey] ?? '';
      return servers.every((s) => value.includes(`[127.0.0.1]:${s.port}`)) ? value : undefined;
    });
    for (const s of servers)
      expect(recorded).toContain(`[127.0.0.1]:${s.port} ${s.hostPublicKey.split(' ').slice(0, 2).join(' ')}`);
    const verifying = await template('verify after accept', 'ssh', { command: 'true' });
    expect((await finished(await run(verifying))).status).toBe('success');
  });

  it('uploads a directory keeping modes, and syncs with a dry-run plan first', async () => {
    const dest = join(root, 'upload-target');
    await rm(dest, { recursive: true, force: true });
    const upload = await template('upload site', 'sftp', { operation: 'upload', source: 'site', destination: dest });
    const task = await finished(await run(upload, { limit: 'web1' }));
    expect(task.status).toBe('success');
    expect(await readFile(join(dest, 'app/config.json'), 'utf8')).toBe('{"a": 1}\n');
    expect((await stat(join(dest, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect(task.progress).toMatchObject({ files_done: 3, files_total: 3, paused: false });
    expect(task.progress?.bytes_done).toBe(task.progress?.bytes_total);

    const syncDest = join(root, 'sync-target');
    await mkdir(syncDest, { recursive: true });
    await writeFile(join(syncDest, 'stale.txt'), 'old');
    const sync = await template('sync site', 'sftp', {
      operation: 'sync',
      source: 'site',
      destination: syncDest,
      delete: true,
      compare: 'checksum',
    });
    const dry = await finished(await run(sync, { limit: 'web1', dry_run: true }));
    expect(dry.status).toBe('success');
    const plan = await output(dry.id);
    expect(plan).toContain('[web1] would delete stale.txt');
    expect(plan.filter((l) => l.startsWith('[web1] would upload'))).toHaveLength(3);
    expect(await readFile(join(syncDest, 'stale.txt'), 'utf8')).toBe('old');

    const real = await finished(await run(sync, { limit: 'web1' }));
    expect(real.status).toBe('success');
    await expect(stat(join(syncDest, 'stale.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(syncDest, 'index.html'), 'utf8')).toBe('<h1>hello</h1>\n');
    const again = await finished(await run(sync, { limit: 'web1', dry_run: true }));
    expect((await output(again.id)).find((l) => l.startsWith('web1: ok'))).toMatch(
      /0 to upload, 0 to delete, 3 unchanged/,
    );
  });

  it('downloads into the task artifacts and lists a remote directory as structured output', async () => {
    const remoteDir = join(root, 'remote-files');
    await mkdir(remoteDir, { recursive: true });
    const content = randomBytes(300_000);
    await writeFile(join(remoteDir, 'data.bin'), content, { mode: 0o640 });
    const download = await template('fetch data', 'sftp', {
      operation: 'download',
      source: join(remoteDir, 'data.bin'),
      destination: 'fetched/data.bin',
    });
    const task = await finished(await run(download, { limit: 'web1,web2' }));
    expect(task.status).toBe('success');
    const artifacts = (
      await admin.get<Array<{ path: string; size: number }>>(`${project.projectPath}/tasks/${task.id}/artifacts`)
    ).body;
    expect(artifacts.map((a) => [a.path, a.size])).toEqual([
      ['web1/fetched/data.bin', content.length],
      ['web2/fetched/data.bin', content.length],
    ]);
    const file = await fetch(
      `${stack.baseUrl}${project.projectPath}/tasks/${task.id}/artifacts/file?path=web2/fetched/data.bin`,
      { headers: { authorization: `Bearer ${admin.bearerToken ?? ''}` } },
    );
    expect(file.status).toBe(200);
    expect(sha256(Buffer.from(await file.arrayBuffer()))).toBe(sha256(content));

    const list = await template('list', 'sftp', { operation: 'list', source: remoteDir });
    const listed = await finished(await run(list, { limit: 'web3' }));
    expect(listed.status).toBe('success');
    expect(await output(listed.id)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\[web3\] 0640 file +300000 \S+ .*data\.bin$/)]),
    );
    const listing = await fetch(
      `${stack.baseUrl}${project.projectPath}/tasks/${listed.id}/artifacts/file?path=web3/listing.json`,
      { headers: { authorization: `Bearer ${admin.bearerToken ?? ''}` } },
    );
    expect(await listing.json()).toEqual([
      expect.objectContaining({ name: 'data.bin', type: 'file', size: 300_000, mode: '0640' }),
    ]);
  });

  it('pauses and resumes a running upload, seen through the API and the WebSocket, and cancels a paused one', async () => {
    const dest = join(root, 'big-target');
    await mkdir(dest, { recursive: true });
    const upload = await template('big upload', 'sftp', {
      operation: 'upload',
      source: 'big.bin',
      destination: join(dest, 'big.bin'),
    });
    const ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${admin.bearerToken ?? ''}` });
    try {
      const taskId = await run(upload, { limit: 'web1' });
      await ws.waitFor(
        (ms) => ms.some((m) => m.task_id === taskId && m.type === 'progress'),
        'a progress message',
        60_000,
      );
      expect((await admin.post(`${project.projectPath}/tasks/${taskId}/pause`, {})).status).toBe(204);
      const paused = await ws.waitFor(
        (ms) => ms.some((m) => m.task_id === taskId && m.type === 'progress' && m.paused === true),
        'a paused progress message',
      );
      const pausedAt = paused.filter((m) => m.task_id === taskId && m.paused === true)[0];
      const onTask = await waitFor('the paused progress on the task', async () => {
        const task = (await admin.get<WireTask>(`${project.projectPath}/tasks/${taskId}`)).body;
        return task.progress?.paused ? task : undefined;
      });
      expect(onTask.status).toBe('running');
      await new Promise((r) => setTimeout(r, 1500));
      const still = (await admin.get<WireTask>(`${project.projectPath}/tasks/${taskId}`)).body;
      expect(still.status).toBe('running');
      expect(still.progress?.bytes_done).toBe(pausedAt.bytes_done);
      expect(still.progress?.bytes_done).toBeLessThan(bigFile.length);

      expect((await admin.post(`${project.projectPath}/tasks/${taskId}/resume`, {})).status).toBe(204);
      const done = await finished(taskId);
      expect(done.status).toBe('success');
      expect(sha256(await readFile(join(dest, 'big.bin')))).toBe(sha256(bigFile));
      expect(await output(taskId)).toEqual(expect.arrayContaining(['Transfer paused', 'Transfer resumed']));

      const second = await run(upload, { limit: 'web2' });
      await ws.waitFor((ms) => ms.some((m) => m.task_id === second && m.type === 'progress'), 'progress of the second');
      expect((await admin.post(`${project.projectPath}/tasks/${second}/pause`, {})).status).toBe(204);
      await ws.waitFor((ms) => ms.some((m) => m.task_id === second && m.paused === true), 'the second paused');
      expect((await admin.post(`${project.projectPath}/tasks/${second}/stop`, {})).status).toBe(204);
      expect((await finished(second)).status).toBe('stopped');
    } finally {
      ws.close();
    }
  });

  it('refuses pause for tasks that are not running transfers', async () => {
    const templateId = await template('not a transfer', 'ssh', { command: 'true' });
    const task = await finished(await run(templateId, { limit: 'web1' }));
    const answer = await admin.post<{ error: string }>(`${project.projectPath}/tasks/${task.id}/pause`, {});
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/not an sftp task/);
  });

  it.each([
    ['ssh', { script: '../../etc/passwd' }, 'ssh_options.script must stay inside'],
    [
      'sftp',
      { operation: 'upload', source: '/etc/shadow', destination: '/tmp/x' },
      'ssh_options.source must be a relative path',
    ],
    [
      'sftp',
      { operation: 'upload', source: 'site', destination: '/srv/../../etc' },
      'ssh_options.destination must not contain ".."',
    ],
    [
      'sftp',
      { operation: 'download', source: '/etc/hosts', destination: '../outside' },
      'ssh_options.destination must stay inside',
    ],
    ['sftp', { operation: 'copy', source: '-rf', destination: '/tmp/x' }, 'ssh_options.source must not start with "-"'],
    ['sftp', { operation: 'list', source: '/tmp\u0000x' }, 'ssh_options.source must not contain control characters'],
    ['sftp', { operation: 'explode', source: '/tmp' }, 'operation must be one of'],
    ['ssh', { command: 'true', retry: { retry_on: ['SSH_AUTHENTICATION_FAILED'] } }, 'retry_on may only name'],
    ['ssh', { command: 'true', parallelism: 100000 }, 'parallelism must not be greater than 100'],
  ])('refuses a hostile %s template %j with a 400 naming the field', async (app, sshOptions, message) => {
    const answer = await admin.post<{ error: string }>(`${project.projectPath}/templates`, {
      name: 'hostile',
      app,
      repository_id: project.repositoryId,
      inventory_id: inventoryId,
      ssh_options: sshOptions,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toContain(message);
  });
});
