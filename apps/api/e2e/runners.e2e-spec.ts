import { createHash } from 'node:crypto';
import {
  AccessKeyType,
  AppId,
  EnvironmentSecretType,
  TaskStatus,
  redisKey,
  runnerAliveKey,
  type JobSpec,
  type RunnerHeartbeat,
} from '@semaphore/models';
import { EventEntity, RunnerEntity, TaskEntity, TaskOutputEntity, type TemplateEntity } from '@semaphore/persistence';
import { randomKey, startApiStack, type ApiClient, type ApiStack, type ProjectActors } from '@semaphore/testing';
import { SecretCipher } from '../src/crypto';

const REGISTRATION_TOKEN = 'global-registration-token-0123456789';
const RUNNER_KEYS = ['id', 'project_id', 'webhook', 'max_parallel_tasks', 'active', 'name'];
const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nclaim-test-key-material\n-----END OPENSSH PRIVATE KEY-----\n';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('runners: admin API, registration and claims', () => {
  const encryptionKey = randomKey();
  const cipher = new SecretCipher(encryptionKey);
  let stack: ApiStack;
  let p: ProjectActors;
  let anon: ApiClient;

  beforeAll(async () => {
    stack = await startApiStack({
      SEMAPHORE_ACCESS_KEY_ENCRYPTION: encryptionKey,
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: REGISTRATION_TOKEN,
      SEMAPHORE_WEB_ROOT: 'https://sem.example.test',
    });
    p = await stack.projectWithMembers();
    anon = stack.client();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const runnerRow = (id: number) => stack.db.dataSource.getRepository(RunnerEntity).findOneByOrFail({ id });
  const taskRow = (id: number) => stack.db.dataSource.getRepository(TaskEntity).findOneByOrFail({ id });
  const asRunner = (token: string | null): { headers: Record<string, string> } => ({
    headers: token === null ? {} : { 'x-runner-token': token },
  });

  async function createRunner(body: Record<string, unknown> = {}): Promise<{ id: number; token: string }> {
    const res = await p.admin.post<{ id: number; token: string }>('/api/runners', { name: 'r', ...body });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('admin CRUD', () => {
    it('POST returns the runner and its token once; only the SHA-256 is stored', async () => {
      const res = await p.admin.post<Record<string, unknown>>('/api/runners', {
        name: 'r1',
        max_parallel_tasks: 2,
        webhook: '',
        tags: ['eu', 'gpu'],
        token: 'ignored',
      });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body)).toEqual([...RUNNER_KEYS, 'token']);
      expect(res.body).toMatchObject({
        project_id: null,
        webhook: '',
        max_parallel_tasks: 2,
        active: true,
        name: 'r1',
      });
      const token = res.body.token as string;
      expect(token).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(token).not.toBe('ignored');
      const row = await runnerRow(res.body.id as number);
      expect(row.tokenHash).toBe(sha256(token));
      expect(JSON.stringify(row)).not.toContain(token);
      expect(row.tags).toEqual(['eu', 'gpu']);

      const one = await p.admin.get<Record<string, unknown>>(`/api/runners/${row.id}`);
      expect(one.status).toBe(200);
      expect(Object.keys(one.body)).toEqual([...RUNNER_KEYS, 'tags', 'online', 'last_seen']);
      expect(one.body).toMatchObject({ id: row.id, name: 'r1', tags: ['eu', 'gpu'], online: false, last_seen: null });
      expect(one.text).not.toContain(token);

      const list = await p.admin.get<Array<Record<string, unknown>>>('/api/runners');
      expect(list.status).toBe(200);
      const item = list.body.find((r) => r.id === row.id);
      expect(Object.keys(item ?? {})).toEqual([...RUNNER_KEYS, 'tags', 'online', 'last_seen']);
      expect(list.text).not.toContain(token);
      expect(list.text).not.toContain(row.tokenHash);
    });

    it('shows a runner online with its heartbeat time while its alive key exists', async () => {
      const { id } = await createRunner();
      const beat: RunnerHeartbeat = {
        runnerId: id,
        instanceId: 'x',
        version: '0.1.0',
        tags: [],
        maxParallelTasks: 1,
        runningTaskIds: [],
        time: '2030-01-02T03:04:05.000Z',
      };
      await stack.redis.client.set(redisKey(stack.redis.prefix, ...runnerAliveKey(id)), JSON.stringify(beat), 'EX', 30);
      const res = await p.admin.get<Record<string, unknown>>(`/api/runners/${id}`);
      expect(res.body).toMatchObject({ online: true, last_seen: '2030-01-02T03:04:05Z' });
    });

    it('updates with PUT and POST, toggles active, deletes', async () => {
      const { id } = await createRunner({ name: 'before' });
      expect(
        (await p.admin.put(`/api/runners/${id}`, { name: 'after', max_parallel_tasks: 3, tags: ['x'] })).status,
      ).toBe(204);
      expect(await runnerRow(id)).toMatchObject({ name: 'after', maxParallelTasks: 3, tags: ['x'] });
      expect((await p.admin.post(`/api/runners/${id}`, { webhook: 'https://hook.example.test' })).status).toBe(204);
      expect(await runnerRow(id)).toMatchObject({ name: 'after', webhook: 'https://hook.example.test' });

      expect((await p.admin.post(`/api/runners/${id}/active`, { active: false })).status).toBe(204);
      expect((await runnerRow(id)).active).toBe(false);
      expect((await p.admin.post(`/api/runners/${id}/active`, { active: 'no' })).body).toEqual({
        error: 'active must be a boolean',
      });

      expect((await p.admin.delete(`/api/runners/${id}`)).status).toBe(204);
      const gone = await p.admin.get(`/api/runners/${id}`);
      expect(gone.status).toBe(404);
      expect(gone.body).toEqual({ error: 'Runner not found' });
      expect((await p.admin.delete(`/api/runners/${id}`)).status).toBe(404);
    });

    it.each([
      [{ tags: ['UPPER'] }, /^tags must be lower-case/],
      [{ tags: 'eu' }, /^tags must be an array/],
      [{ max_parallel_tasks: -1 }, /^max_parallel_tasks must not be negative/],
      [{ name: 'x'.repeat(256) }, /^name must be at most 255/],
      [{ project_id: 999999 }, /^project_id must be the id of an existing project/],
    ])('refuses %j with a 400 naming the field', async (body, message) => {
      const res = await p.admin.post<{ error: string }>('/api/runners', body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(message);
    });

    it('404 for unknown ids, 400 for malformed ones', async () => {
      expect((await p.admin.get('/api/runners/999999')).body).toEqual({ error: 'Runner not found' });
      expect((await p.admin.put('/api/runners/999999', {})).status).toBe(404);
      expect((await p.admin.post('/api/runners/999999/active', { active: true })).status).toBe(404);
      expect((await p.admin.post('/api/runners/999999/registration-token')).status).toBe(404);
      expect((await p.admin.get('/api/runners/abc')).status).toBe(400);
    });

    it('refuses every route to non-admins (403) and anonymous callers (401), without side effects', async () => {
      const { id } = await createRunner({ name: 'guarded' });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/api/runners'],
        ['POST', '/api/runners', { name: 'x' }],
        ['GET', `/api/runners/${id}`],
        ['PUT', `/api/runners/${id}`, { name: 'hacked' }],
        ['POST', `/api/runners/${id}`, { name: 'hacked' }],
        ['POST', `/api/runners/${id}/active`, { active: false }],
        ['POST', `/api/runners/${id}/registration-token`, {}],
        ['DELETE', `/api/runners/${id}`],
      ];
      const before = await stack.db.dataSource.getRepository(RunnerEntity).count();
      for (const [method, path, body] of routes) {
        for (const client of [p.owner, p.manager, p.guest, p.nonMember]) {
          expect([method, path, (await client.request(method, path, { body })).status]).toEqual([method, path, 403]);
        }
        expect([method, path, (await anon.request(method, path, { body })).status]).toEqual([method, path, 401]);
      }
      expect(await stack.db.dataSource.getRepository(RunnerEntity).count()).toBe(before);
      expect(await runnerRow(id)).toMatchObject({ name: 'guarded', active: true, registrationTokenHash: null });
    });
  });

  describe('registration', () => {
    it('with the global token: an active runner, token stored hashed', async () => {
      const res = await anon.post<{ token: string; id: number }>('/api/internal/runners', {
        registration_token: REGISTRATION_TOKEN,
        name: 'self-registered',
        tags: ['eu'],
        max_parallel_tasks: 4,
        webhook: '',
      });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['token', 'id']);
      const row = await runnerRow(res.body.id);
      expect(row).toMatchObject({ name: 'self-registered', tags: ['eu'], maxParallelTasks: 4, active: true });
      expect(row.tokenHash).toBe(sha256(res.body.token));
      const me = await anon.get('/api/internal/runners/me', asRunner(res.body.token));
      expect(me.body).toMatchObject({ id: row.id, tags: ['eu'], active: true });
    });

    it.each([
      ['a wrong token', { registration_token: `${REGISTRATION_TOKEN}x` }],
      ['an empty token', { registration_token: '' }],
      ['no token', {}],
      ['an unknown one-time token', { registration_token: 'smrs_0000' }],
    ])('refuses %s with 400 and creates nothing', async (_what, body) => {
      const before = await stack.db.dataSource.getRepository(RunnerEntity).count();
      const res = await anon.post('/api/internal/runners', { name: 'intruder', ...body });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'Invalid registration token' });
      expect(await stack.db.dataSource.getRepository(RunnerEntity).count()).toBe(before);
    });

    it('refuses invalid tags', async () => {
      const res = await anon.post<{ error: string }>('/api/internal/runners', {
        registration_token: REGISTRATION_TOKEN,
        tags: ['../etc'],
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^tags must be lower-case/);
    });

    it('with a one-time token: completes the pre-created runner once, replacing its token', async () => {
      const created = await createRunner({ name: 'provisioned', tags: ['dc1'] });
      const issued = await p.admin.post<{ token: string }>(`/api/runners/${created.id}/registration-token`);
      expect(issued.status).toBe(200);
      expect(Object.keys(issued.body)).toEqual(['token']);
      expect(issued.body.token).toMatch(/^smrs_[0-9a-f]{64}$/);
      const stored = await runnerRow(created.id);
      expect(stored.registrationTokenHash).toBe(sha256(issued.body.token));
      expect(stored.registrationTokenExpires?.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);

      const res = await anon.post<{ token: string; id: number }>('/api/internal/runners', {
        registration_token: issued.body.token,
        name: 'hostname',
        tags: ['other'],
      });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(created.id);
      const row = await runnerRow(created.id);
      expect(row).toMatchObject({ name: 'provisioned', tags: ['dc1'], registrationTokenHash: null });
      expect(row.tokenHash).toBe(sha256(res.body.token));
      expect((await anon.get('/api/internal/runners/me', asRunner(created.token))).status).toBe(404);
      expect((await anon.get('/api/internal/runners/me', asRunner(res.body.token))).status).toBe(200);

      const again = await anon.post('/api/internal/runners', { registration_token: issued.body.token });
      expect(again.status).toBe(400);
    });

    it('refuses an expired one-time token', async () => {
      const created = await createRunner();
      const issued = await p.admin.post<{ token: string }>(`/api/runners/${created.id}/registration-token`);
      await stack.db.dataSource
        .getRepository(RunnerEntity)
        .update({ id: created.id }, { registrationTokenExpires: new Date(Date.now() - 1000) });
      const res = await anon.post('/api/internal/runners', { registration_token: issued.body.token });
      expect(res.status).toBe(400);
      expect((await runnerRow(created.id)).tokenHash).toBe(sha256(created.token));
    });

    it('runner auth: 401 without the header, 404 unknown, 403 inactive; DELETE unregisters', async () => {
      const a = await anon.get('/api/internal/runners/me');
      expect([a.status, a.body]).toEqual([401, { error: 'Invalid token' }]);
      const b = await anon.get('/api/internal/runners/me', asRunner('nope'));
      expect([b.status, b.body]).toEqual([404, { error: 'Runner not found' }]);
      const r = await createRunner();
      await p.admin.post(`/api/runners/${r.id}/active`, { active: false });
      expect((await anon.get('/api/internal/runners/me', asRunner(r.token))).status).toBe(403);
      await p.admin.post(`/api/runners/${r.id}/active`, { active: true });
      expect((await anon.delete('/api/internal/runners', asRunner(r.token))).status).toBe(204);
      expect(await stack.db.dataSource.getRepository(RunnerEntity).findOneBy({ id: r.id })).toBeNull();
    });
  });

  describe('claim', () => {
    let template: TemplateEntity;

    beforeAll(async () => {
      const f = stack.factories;
      const projectId = p.project.id;
      const repoKey = await f.accessKey(projectId, {
        type: AccessKeyType.Ssh,
        secret: cipher.encryptSshKey({ login: 'git', passphrase: 'pp', private_key: PRIVATE_KEY }),
      });
      const become = await f.accessKey(projectId, {
        type: AccessKeyType.LoginPassword,
        secret: cipher.encryptLoginPassword({ login: 'root', password: 'become-pw' }),
      });
      const vault = await f.accessKey(projectId, {
        type: AccessKeyType.LoginPassword,
        secret: cipher.encryptLoginPassword({ login: '', password: 'vault-pw' }),
      });
      const repository = await f.repository(projectId, { gitUrl: 'file:///srv/claim.git', sshKeyId: repoKey.id });
      const inventory = await f.inventory(projectId, { sshKeyId: repoKey.id, becomeKeyId: become.id });
      const environment = await f.environment(projectId, { json: '{"region":"eu"}', env: '{"APP_ENV":"test"}' });
      await f.environmentSecret(environment.id, {
        type: EnvironmentSecretType.Env,
        name: 'API_TOKEN',
        secret: cipher.encrypt('env-secret-value'),
      });
      template = await f.template(projectId, {
        name: 'Claimable',
        app: AppId.Ansible,
        repositoryId: repository.id,
        inventoryId: inventory.id,
        environmentId: environment.id,
      });
      await f.templateVault(template, { vaultKeyId: vault.id, name: 'prod' });
    });

    const waitingTask = (over: Partial<TaskEntity> = {}) =>
      stack.factories.task(template, {
        lastSeq: 2,
        params: { __secret: cipher.encryptJson({ survey_pw: 'survey-secret' }), plan: true },
        ...over,
      });
    const claim = (taskId: number, token: string | null) =>
      anon.post<JobSpec & { error?: string }>(`/api/internal/runners/tasks/${taskId}/claim`, {}, asRunner(token));

    it('gives the claiming runner the JobSpec with decrypted secrets, once', async () => {
      const runner = await createRunner({ name: 'claimer' });
      const other = await createRunner({ name: 'late' });
      const task = await waitingTask();

      const res = await claim(task.id, runner.token);
      expect(res.status).toBe(200);
      const spec = res.body;
      expect(spec).toMatchObject({
        taskId: task.id,
        projectId: p.project.id,
        templateId: template.id,
        claimGeneration: 1,
        firstSeq: 3,
        app: 'ansible',
        playbook: 'site.yml',
        repository: { url: 'file:///srv/claim.git', branch: 'main', knownHosts: [] },
        vaults: [{ name: 'prod', password: 'vault-pw' }],
        params: { plan: true },
      });
      expect(spec.repository.key).toEqual({ type: 'ssh', login: 'git', privateKey: PRIVATE_KEY, passphrase: 'pp' });
      expect(spec.inventory?.becomeKey).toEqual({ type: 'login_password', login: 'root', password: 'become-pw' });
      expect(spec.env).toEqual({ APP_ENV: 'test', API_TOKEN: 'env-secret-value' });
      expect(spec.extraVars).toMatchObject({
        region: 'eu',
        survey_pw: 'survey-secret',
        semaphore_vars: {
          task_details: { id: task.id, url: `https://sem.example.test/project/${p.project.id}/history?t=${task.id}` },
        },
      });
      expect(JSON.stringify(spec.params)).not.toContain('__secret');

      const row = await taskRow(task.id);
      expect(row).toMatchObject({ status: TaskStatus.Starting, runnerId: runner.id, claimGeneration: 1 });
      expect(row.claimedAt).toBeInstanceOf(Date);
      const event = await stack.db.dataSource
        .getRepository(EventEntity)
        .findOneBy({ objectType: 'task', objectId: task.id });
      expect(event?.description).toBe(`Task ID ${task.id} (Claimable) is running`);

      for (const token of [other.token, runner.token]) {
        const again = await claim(task.id, token);
        expect(again.status).toBe(409);
        expect(again.body.error).toMatch(/not waiting/);
        expect(again.text).not.toContain('claim-test-key-material');
      }
      expect(await taskRow(task.id)).toMatchObject({ runnerId: runner.id, claimGeneration: 1 });
    });

    it('hands a task to exactly one of several runners claiming at once', async () => {
      const task = await waitingTask();
      const runners = await Promise.all([1, 2, 3, 4, 5].map(() => createRunner()));
      const results = await Promise.all(runners.map((r) => claim(task.id, r.token)));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
      const winner = runners[results.findIndex((r) => r.status === 200)];
      expect(await taskRow(task.id)).toMatchObject({ runnerId: winner.id, claimGeneration: 1 });
    });

    it('never writes a secret to the api log', () => {
      const log = stack.api.process.stdout.join('\n');
      for (const secret of ['claim-test-key-material', 'vault-pw', 'become-pw', 'survey-secret', 'env-secret-value']) {
        expect(log).not.toContain(secret);
      }
      expect(log).toContain('task claimed');
    });

    it('refuses callers without a valid runner token, with no side effect', async () => {
      const task = await waitingTask();
      const res = await claim(task.id, null);
      expect([res.status, res.body]).toEqual([401, { error: 'Invalid token' }]);
      expect((await claim(task.id, 'not-a-runner-token')).status).toBe(404);
      // A user's API token is not a runner token.
      const admin = await p.admin.post(`/api/internal/runners/tasks/${task.id}/claim`);
      expect(admin.status).toBe(401);
      const inactive = await createRunner({ active: false });
      expect((await claim(task.id, inactive.token)).status).toBe(403);
      expect(await taskRow(task.id)).toMatchObject({ status: TaskStatus.Waiting, runnerId: null, claimGeneration: 0 });
      expect((await claim(999999, (await createRunner()).token)).status).toBe(404);
    });

    it('refuses a task whose runner tag the runner does not have', async () => {
      const task = await waitingTask({ runnerTag: 'gpu' });
      const plain = await createRunner({ tags: ['eu'] });
      const res = await claim(task.id, plain.token);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/tag gpu/);
      expect((await taskRow(task.id)).status).toBe(TaskStatus.Waiting);
      const gpu = await createRunner({ tags: ['gpu'] });
      expect((await claim(task.id, gpu.token)).status).toBe(200);
    });

    it('fails a task whose key does not decrypt instead of handing it out', async () => {
      const badKey = await stack.factories.accessKey(p.project.id, {
        type: AccessKeyType.Ssh,
        secret: new SecretCipher(randomKey()).encryptSshKey({ login: 'x', passphrase: '', private_key: 'k' }),
      });
      const repository = await stack.factories.repository(p.project.id, { sshKeyId: badKey.id });
      const tpl = await stack.factories.template(p.project.id, { repositoryId: repository.id, name: 'Broken' });
      const task = await stack.factories.task(tpl, { lastSeq: 1 });
      const runner = await createRunner();
      const res = await claim(task.id, runner.token);
      expect(res.status).toBe(409);
      expect(res.body.error).toMatch(/could not be decrypted/);
      expect(await taskRow(task.id)).toMatchObject({
        status: TaskStatus.Error,
        errorCode: 'SECRET_DECRYPTION_FAILED',
        runnerId: null,
        lastSeq: 2,
      });
      const lines = await stack.db.dataSource.getRepository(TaskOutputEntity).findBy({ taskId: task.id });
      expect(lines.map((l) => [l.seq, l.output])).toEqual([[2, expect.stringMatching(/could not be decrypted/)]]);
    });
  });
});

describe('runners: registration without a global token', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses every global registration', async () => {
    for (const token of ['', REGISTRATION_TOKEN, 'anything-at-all-here']) {
      const res = await stack.client().post('/api/internal/runners', { registration_token: token });
      expect([res.status, res.body]).toEqual([400, { error: 'Invalid registration token' }]);
    }
    expect(await stack.db.dataSource.getRepository(RunnerEntity).count()).toBe(0);
  });
});
