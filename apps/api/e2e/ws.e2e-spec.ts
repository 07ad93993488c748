import { TaskStatus, redisKey, runnerAliveKey } from '@semaphore/models';
import type { ProjectEntity, TaskEntity, TemplateEntity } from '@semaphore/persistence';
import { startApiStack, type ApiClient, type ApiStack } from '@semaphore/testing';
import { UpgradeRefused, WsClient, appendRunnerBatch, logEvents, type WsMessage } from './task-events-helpers';

const LOG_KEYS = ['type', 'project_id', 'task_id', 'time', 'output', 'seq'];
const UPDATE_KEYS = ['type', 'project_id', 'task_id', 'template_id', 'status', 'start', 'end', 'version'];
const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

describe('WebSocket /api/ws: authentication and task log/update messages', () => {
  let stack: ApiStack;
  let project: ProjectEntity;
  let template: TemplateEntity;
  let runnerId: number;
  let memberCookie: string;
  let memberClient: ApiClient;
  let memberToken: string;
  let adminToken: string;
  let outsiderToken: string;
  let outsiderProject: ProjectEntity;
  const open: WsClient[] = [];

  /** A user with an API token; member of `projectId` when given. */
  async function tokenUser(opts: { admin?: boolean; projectId?: number } = {}): Promise<string> {
    const { user, client } = await stack.loggedIn({ admin: opts.admin ?? false });
    if (opts.projectId) await stack.factories.projectMember(opts.projectId, user.id);
    const res = await client.post<{ id: string }>('/api/user/tokens');
    return res.body.id;
  }

  const connect = async (headers: Record<string, string>) => {
    const c = await WsClient.connect(stack.baseUrl, headers);
    open.push(c);
    return c;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const refusal = (headers: Record<string, string>) =>
    WsClient.connect(stack.baseUrl, headers).then(
      (c) => {
        c.close();
        return 101;
      },
      (err: unknown) => (err instanceof UpgradeRefused ? err.status : -1),
    );

  /** A task claimed by a live runner (so the reconciler leaves it alone and fencing passes). */
  const claimedTask = (projectTemplate: TemplateEntity = template): Promise<TaskEntity> =>
    stack.factories.task(projectTemplate, {
      status: TaskStatus.Starting,
      runnerId,
      claimGeneration: 1,
      claimedAt: new Date(),
    });

  beforeAll(async () => {
    stack = await startApiStack();
    project = await stack.factories.project();
    template = await stack.factories.template(project.id);
    outsiderProject = await stack.factories.project();
    runnerId = (await stack.factories.runner()).id;
    await stack.redis.client.set(redisKey(stack.redis.prefix, ...runnerAliveKey(runnerId)), '{}', 'PX', 600_000);
    const member = await stack.loggedIn();
    await stack.factories.projectMember(project.id, member.user.id);
    memberClient = member.client;
    memberCookie = `semaphore_session=${member.client.cookie('semaphore_session')}`;
    memberToken = await tokenUser({ projectId: project.id });
    adminToken = await tokenUser({ admin: true });
    outsiderToken = await tokenUser({ projectId: outsiderProject.id });
  });

  afterAll(async () => {
    for (const c of open) c.close();
    await stack?.stop();
  });

  describe('authentication of the upgrade', () => {
    it('refuses an upgrade without credentials, with a bad token or a bad cookie (401, no upgrade)', async () => {
      expect(await refusal({})).toBe(401);
      expect(await refusal(bearer('not-a-token'))).toBe(401);
      expect(await refusal({ authorization: 'Basic abc' })).toBe(401);
      expect(await refusal({ cookie: 'semaphore_session=eyJhbGciOiJIUzI1NiJ9.e30.x' })).toBe(401);
    });

    it('accepts the session cookie and a bearer token', async () => {
      expect(await refusal({ cookie: memberCookie })).toBe(101);
      expect(await refusal(bearer(memberToken))).toBe(101);
      expect(await refusal({ authorization: `bearer ${adminToken}` })).toBe(101);
    });

    it('refuses a cookie-authenticated upgrade from a foreign Origin (cross-site WebSocket hijacking)', async () => {
      expect(await refusal({ cookie: memberCookie, origin: 'https://evil.example' })).toBe(401);
      expect(await refusal({ cookie: memberCookie, origin: stack.baseUrl })).toBe(101);
    });

    it('refuses a logged-out session', async () => {
      const { client } = await stack.loggedIn();
      const cookie = `semaphore_session=${client.cookie('semaphore_session')}`;
      expect(await refusal({ cookie })).toBe(101);
      await client.post('/api/auth/logout');
      expect(await refusal({ cookie })).toBe(401);
    });

    it('closes the connection when a client sends more than 512 bytes', async () => {
      const c = await connect(bearer(memberToken));
      c.ws.send('x'.repeat(100)); // ignored
      c.ws.send('x'.repeat(513));
      expect((await c.waitForClose()).code).toBe(1009);
    });
  });

  describe('task messages', () => {
    it('a member gets every log line in seq order and the updates; GET output returns the same lines', async () => {
      const cookieClient = await connect({ cookie: memberCookie });
      const tokenClient = await connect(bearer(memberToken));
      const admin = await connect(bearer(adminToken));
      const task = await claimedTask();
      const redis = stack.redis.client;
      const prefix = stack.redis.prefix;

      await appendRunnerBatch(redis, prefix, task, [
        { type: 'status', status: TaskStatus.Running, time: '2024-10-25T00:00:00.5Z' },
        { type: 'commit', hash: 'a1b2c3d4', message: 'Add playbook' },
        ...logEvents(1, 40),
      ]);
      for (let from = 41; from <= 200; from += 40) {
        await appendRunnerBatch(redis, prefix, task, logEvents(from, from + 39));
      }
      await appendRunnerBatch(redis, prefix, task, [
        ...logEvents(201, 205),
        { type: 'status', status: TaskStatus.Success, time: '2024-10-25T00:00:09Z' },
      ]);

      const finishedUpdate = (ms: WsMessage[]) =>
        ms.some((m) => m.task_id === task.id && m.type === 'update' && m.status === 'success');
      for (const c of [cookieClient, tokenClient, admin]) {
        await c.waitFor(
          (ms) => finishedUpdate(ms) && ms.filter((m) => m.task_id === task.id && m.type === 'log').length >= 205,
          'all lines and the final update',
        );
      }

      const logs = tokenClient.of(task.id, 'log');
      expect(logs.map((m) => m.seq)).toEqual(Array.from({ length: 205 }, (_, i) => i + 1));
      for (const m of logs) expect(Object.keys(m)).toEqual(LOG_KEYS);
      expect(logs[0]).toEqual({
        type: 'log',
        project_id: project.id,
        task_id: task.id,
        time: '2024-10-25T00:00:00.001Z',
        output: 'TASK [step 1] ok: [localhost]',
        seq: 1,
      });
      expect(cookieClient.of(task.id, 'log')).toEqual(logs);
      expect(admin.of(task.id, 'log')).toEqual(logs);

      const updates = tokenClient.of(task.id, 'update');
      expect(updates.map((u) => u.status)).toEqual(['running', 'success']);
      for (const u of updates) expect(Object.keys(u)).toEqual(UPDATE_KEYS);
      expect(updates[1]).toMatchObject({
        project_id: project.id,
        template_id: template.id,
        start: '2024-10-25T00:00:00.5Z',
        end: '2024-10-25T00:00:09Z',
        version: null,
      });

      // The persisted output is the same, in the same order (the final update is sent after COMMIT).
      const P = `/api/project/${project.id}`;
      const output = await memberClient.get<Array<{ time: string; output: string }>>(`${P}/tasks/${task.id}/output`);
      expect(output.status).toBe(200);
      expect(output.body.map((l) => [l.time, l.output])).toEqual(logs.map((m) => [m.time, m.output]));
      for (const l of output.body) expect(l.time).toMatch(RFC3339_UTC);
      // Reconnect rule: continue after the last seq seen.
      const rest = await memberClient.get<Array<{ output: string }>>(`${P}/tasks/${task.id}/output?after_seq=200`);
      expect(rest.body.map((l) => l.output)).toEqual(logs.slice(200).map((m) => m.output));
      const wireTask = await memberClient.get<Record<string, unknown>>(`${P}/tasks/${task.id}`);
      expect(wireTask.body).toMatchObject({
        status: 'success',
        commit_hash: 'a1b2c3d4',
        commit_message: 'Add playbook',
      });
    });

    it('a non-member receives nothing of the project; lines of a stale claim reach nobody', async () => {
      const outsider = await connect(bearer(outsiderToken));
      const member = await connect(bearer(memberToken));
      const task = await claimedTask();
      const marker = await claimedTask(await stack.factories.template(outsiderProject.id));
      const redis = stack.redis.client;
      const prefix = stack.redis.prefix;

      await appendRunnerBatch(
        redis,
        prefix,
        task,
        logEvents(1, 1, () => 'stale'),
        { gen: 0 },
      );
      await appendRunnerBatch(redis, prefix, task, logEvents(1, 3));
      await appendRunnerBatch(
        redis,
        prefix,
        marker,
        logEvents(1, 1, () => 'marker'),
      );

      await member.waitFor((ms) => ms.filter((m) => m.task_id === task.id).length >= 3, 'the member lines');
      // Frames reach a socket in the order they were sent: once the outsider has the marker (written last), it would
      // have had the project's lines before it.
      await outsider.waitFor((ms) => ms.some((m) => m.task_id === marker.id), 'the marker');
      expect(outsider.messages.filter((m) => m.project_id === project.id || m.task_id === task.id)).toEqual([]);
      expect(member.of(task.id).map((m) => m.output)).toEqual(
        logEvents(1, 3).map((e) => (e as { output: string }).output),
      );
      expect(member.of(marker.id)).toEqual([]);
    });
  });
});
