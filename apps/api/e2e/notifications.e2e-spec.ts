import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProjectRole } from '@semaphore/models';
import {
  HttpReceiver,
  SmtpSink,
  startApiStack,
  type ApiClient,
  type ApiStack,
  type ManagedProcess,
} from '@semaphore/testing';
import { E2E_REGISTRATION_TOKEN, adminClient, createBashProject, startRunner, type BashProject } from './task-fixtures';
import { CHANNEL_PATHS, CHANNEL_SECRETS, channelEnvironment } from './notification-channels';
import { WsClient } from './task-events-helpers';

const WEB_ROOT = 'https://semaphore.e2e.test';

/**
 * Task alerts with the real processes: a bash task that succeeds and one that fails reach every channel's loopback
 * receiver (one HTTP server, one SMTP sink) exactly once, with the exact payload; a template that suppresses
 * success alerts sends none; `POST P/notifications/test` reports each delivery.
 */
describe('notifications: api + runner + loopback receivers', () => {
  let stack: ApiStack;
  let runner: ManagedProcess;
  let root: string;
  let http: HttpReceiver;
  let smtp: SmtpSink;
  let admin: ApiClient;
  let project: BashProject;
  let projectId: number;
  let ws: WsClient;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'semtest-notify-'));
    http = await HttpReceiver.start();
    smtp = await SmtpSink.start();
    stack = await startApiStack({
      SEMAPHORE_RUNNER_REGISTRATION_TOKEN: E2E_REGISTRATION_TOKEN,
      SEMAPHORE_WEB_ROOT: `${WEB_ROOT}/`,
      ...channelEnvironment(http, smtp),
    });
    runner = await startRunner({
      redisUrl: stack.redis.url,
      redisPrefix: stack.redis.prefix,
      apiUrl: stack.baseUrl,
      root,
    });
    admin = await adminClient(stack.db.dataSource, stack.baseUrl);
    project = await createBashProject(admin, root, 'alerts', {
      'ok.sh': 'echo fine',
      'fail.sh': 'echo broken; exit 3',
    });
    projectId = Number(project.projectPath.split('/').pop());
    const updated = await admin.put(project.projectPath, {
      id: projectId,
      name: 'alerts',
      alert: true,
      alert_chat: 'project-chat',
      max_parallel_tasks: 0,
    });
    expect(updated.status).toBe(204);
    const member = await stack.user({ alert: true, email: 'member@e2e.test', name: 'Mia Member' });
    await stack.factories.projectMember(projectId, member.id, { role: ProjectRole.TaskRunner });
    const quiet = await stack.user({ alert: false, email: 'quiet@e2e.test' });
    await stack.factories.projectMember(projectId, quiet.id, { role: ProjectRole.Guest });
    ws = await WsClient.connect(stack.baseUrl, { authorization: `Bearer ${admin.bearerToken ?? ''}` });
  }, 120_000);

  afterAll(async () => {
    ws?.close();
    await runner?.stop();
    await stack?.stop();
    await http?.close();
    await smtp?.close();
    rmSync(root, { recursive: true, force: true });
  });

  async function run(templateId: number): Promise<number> {
    const created = await admin.post<{ id: number }>(`${project.projectPath}/tasks`, { template_id: templateId });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  const finished = (taskId: number) =>
    ws.waitFor(
      (ms) =>
        ms.some((m) => m.task_id === taskId && m.type === 'update' && ['success', 'error'].includes(String(m.status))),
      `the end of task ${taskId}`,
      60_000,
    );

  /** The requests to `path` about `taskId` (every payload carries the task's link `...?t=<id>`). */
  const ofTask = (path: string, taskId: number) =>
    http.requests(path).filter((r) => new RegExp(`\\?t=${taskId}(?!\\d)`).test(JSON.stringify(r.body)));

  it('success, suppressed success and error: each channel gets the exact payload once; e-mail only on error', async () => {
    const quietTemplate = await project.template('Quiet', 'ok.sh', { suppress_success_alerts: true });
    const goodTemplate = await project.template('Good', 'ok.sh');
    const badTemplate = await project.template('Bad', 'fail.sh');

    // Suppressed first: its alerts (if any were wrongly queued) would be ahead of the next task's in the queue.
    const quiet = await run(quietTemplate);
    await finished(quiet);
    const good = await run(goodTemplate);
    await Promise.all(Object.values(CHANNEL_PATHS).map((p) => http.waitFor(p, 1, 60_000)));
    const bad = await run(badTemplate);
    await Promise.all(Object.values(CHANNEL_PATHS).map((p) => http.waitFor(p, 2, 60_000)));
    await smtp.waitFor(1, 60_000);

    const goodUrl = `${WEB_ROOT}/project/${projectId}/templates/${goodTemplate}?t=${good}`;
    const badUrl = `${WEB_ROOT}/project/${projectId}/templates/${badTemplate}?t=${bad}`;
    for (const path of Object.values(CHANNEL_PATHS)) {
      expect(http.requests(path)).toHaveLength(2);
      expect(ofTask(path, quiet)).toEqual([]);
      expect(ofTask(path, good)).toHaveLength(1);
      expect(ofTask(path, bad)).toHaveLength(1);
    }
    const author = (await admin.get<{ name: string }>('/api/user')).body.name;

    expect(ofTask(CHANNEL_PATHS.slack, good)[0].body).toEqual({
      attachments: [
        {
          title: 'Task: Good',
          title_link: goodUrl,
          text: `execution #${good}, status: ✅SUCCESS!`,
          color: 'good',
          mrkdwn_in: ['text'],
          fields: [{ title: 'Author', value: author, short: true }],
        },
      ],
    });
    expect(ofTask(CHANNEL_PATHS.rocketchat, bad)[0].body).toEqual({
      text: `execution #${bad}, status: ❌ERROR!`,
      attachments: [
        { title: 'Task: Bad', title_link: badUrl, text: `execution #${bad}, status: ❌ERROR!`, color: '#EE0000' },
      ],
    });
    expect(ofTask(CHANNEL_PATHS.telegram, bad)[0].body).toEqual({
      chat_id: 'project-chat',
      parse_mode: 'HTML',
      text: `<code>Bad</code>\n#${bad} <b>❌ERROR</b> <code></code> - \nby ${author}\n${badUrl}`,
    });
    expect(ofTask(CHANNEL_PATHS.microsoft_teams, good)[0].body).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: `Ansible Task Template Execution by: ${author}` },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Task:', value: 'Good' },
                  { title: 'Status:', value: '✅SUCCESS' },
                  { title: 'Task ID:', value: String(good) },
                ],
              },
            ],
            actions: [{ type: 'Action.OpenUrl', title: 'Task URL', url: goodUrl }],
          },
        },
      ],
    });
    const markdown = `execution #${bad}, status: ❌ERROR!\n\n- Author: ${author}\n- [Task #${bad}](${badUrl})`;
    expect(ofTask(CHANNEL_PATHS.dingtalk, bad)[0].body).toEqual({
      msgtype: 'markdown',
      markdown: { title: 'Task: Bad', text: markdown },
    });
    const gotify = ofTask(CHANNEL_PATHS.gotify, bad)[0];
    expect(gotify.path).toBe(`/gotify/message?token=${CHANNEL_SECRETS.gotifyToken}`);
    expect(gotify.body).toEqual({
      title: 'Task: Bad',
      message: markdown,
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
    expect(ofTask(CHANNEL_PATHS.webhook, good)[0].body).toEqual({
      event: 'task_status',
      task_id: good,
      status: 'success',
      result: '✅SUCCESS',
      template: { id: goodTemplate, name: 'Good' },
      project: { id: projectId, name: 'alerts' },
      url: goodUrl,
      author,
      version: '',
      message: '',
    });

    // E-mail: the failed task only, to the one member with alert on (the admin has it off).
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: CHANNEL_SECRETS.sender, to: ['member@e2e.test'] });
    expect(smtp.mails[0].headers.subject).toBe("Task 'Bad' failed");
    expect(smtp.mails[0].body.replace(/\r\n/g, '\n').trim()).toBe(
      `<p>Task ${bad} with template 'Bad' has failed!</p>\n<p>Task Log: <a href="${badUrl}">Link</a></p>`,
    );
  }, 180_000);

  it('POST P/notifications/test sends the test message through every channel and reports each delivery', async () => {
    const before = http.all.length;
    const res = await admin.post<{ results: Array<Record<string, unknown>> }>(
      `${project.projectPath}/notifications/test`,
    );
    expect(res.status).toBe(200);
    const member = res.body.results.find((r) => r.channel === 'email');
    expect(res.body.results.map((r) => r.channel).sort()).toEqual([
      'dingtalk',
      'email',
      'gotify',
      'microsoft_teams',
      'rocketchat',
      'slack',
      'telegram',
      'webhook',
    ]);
    expect(res.body.results.every((r) => r.sent === true)).toBe(true);
    expect(member?.user_id).toEqual(expect.any(Number));
    expect(http.all.length - before).toBe(7);
    expect(http.requests(CHANNEL_PATHS.webhook).at(-1)?.body).toMatchObject({
      task_id: 0,
      status: 'success',
      template: { id: 0, name: 'Test Notification' },
      message: 'This is a test notification',
      author: '—',
    });
    await smtp.waitFor(2);
    expect(smtp.mails[1].headers.subject).toBe("Task 'Test Notification' failed");
  });

  it('the test route needs manager rights (403), hides the project from non-members (404), 409 with alerts off', async () => {
    const runnerUser = await stack.withToken();
    await stack.factories.projectMember(projectId, runnerUser.user.id, { role: ProjectRole.TaskRunner });
    const before = http.all.length;
    expect((await runnerUser.client.post(`${project.projectPath}/notifications/test`)).status).toBe(403);
    const outsider = await stack.withToken();
    expect((await outsider.client.post(`${project.projectPath}/notifications/test`)).status).toBe(404);
    const other = await admin.post<{ id: number }>('/api/projects', { name: 'no alerts' });
    const off = await admin.post<{ error: string }>(`/api/project/${other.body.id}/notifications/test`);
    expect(off.status).toBe(409);
    expect(off.body.error).toContain('alert');
    expect(http.all.length).toBe(before);
  });
});
