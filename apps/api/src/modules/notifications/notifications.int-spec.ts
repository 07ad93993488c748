import { Logger } from '@nestjs/common';
import { QueueEvents } from 'bullmq';
import { TaskStatus, bullPrefix } from '@semaphore/models';
import type { ProjectEntity, TemplateEntity, UserEntity } from '@semaphore/persistence';
import {
  Factories,
  HttpReceiver,
  SmtpSink,
  createTestDatabase,
  createTestRedis,
  randomKey,
  type TestDatabase,
  type TestRedis,
} from '@semaphore/testing';
import { CHANNEL_PATHS, CHANNEL_SECRETS, channelEnvironment } from '../../../e2e/notification-channels';
import { loadApiConfig, type ApiConfig } from '../../config';
import { TaskStatusObservers } from '../task-queue/task-status-observers';
import { NOTIFICATIONS_QUEUE } from './notification-jobs';
import { NotificationQueue } from './notification-queue';
import { NotificationSender } from './notification-sender';
import { NotificationsProcessor } from './notifications.processor';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { TaskAlertsService } from './task-alerts.service';

/** One api replica's notifications parts, wired as the module does. */
interface Replica {
  observers: TaskStatusObservers;
  queue: NotificationQueue;
  processor: NotificationsProcessor;
  sender: NotificationSender;
}

describe('notifications (real Redis + PostgreSQL, loopback receivers)', () => {
  let db: TestDatabase;
  let redis: TestRedis;
  let http: HttpReceiver;
  let smtp: SmtpSink;
  let f: Factories;
  let config: ApiConfig;
  let events: QueueEvents;
  const replicas: Replica[] = [];
  let project: ProjectEntity;
  let template: TemplateEntity;
  let author: UserEntity;

  function configFor(env: Record<string, string>): ApiConfig {
    return loadApiConfig({
      SEMAPHORE_ACCESS_KEY_ENCRYPTION: randomKey(),
      SEMAPHORE_COOKIE_HASH: randomKey(),
      SEMAPHORE_WEB_ROOT: 'https://semaphore.example.test/',
      REDIS_URL: redis.url,
      SEMAPHORE_REDIS_PREFIX: redis.prefix,
      ...env,
    });
  }

  function replica(name: string): Replica {
    const cfg = { ...config, nodeId: name } as ApiConfig;
    const repo = new NotificationsRepository(db.dataSource);
    const sender = new NotificationSender(cfg);
    const alerts = new TaskAlertsService(repo, cfg);
    const queue = new NotificationQueue(redis.client, redis.prefix, { attempts: 4, backoffMs: 20 }, () => undefined);
    const observers = new TaskStatusObservers();
    new NotificationsService(cfg, redis.client, observers, queue, sender, alerts, repo).onModuleInit();
    const processor = new NotificationsProcessor(cfg, sender, alerts, repo);
    processor.onApplicationBootstrap();
    return { observers, queue, processor, sender };
  }

  /** Resolves with the job once BullMQ reports it finished for good (completed, or failed without retries left). */
  function settled(jobId: string): Promise<'completed' | 'failed'> {
    return new Promise((resolve) => {
      events.on('completed', ({ jobId: id }) => id === jobId && resolve('completed'));
      events.on('failed', async ({ jobId: id }) => {
        if (id !== jobId) return;
        const job = await replicas[0].queue.queue.getJob(id);
        if (job && (await job.getState()) === 'failed') resolve('failed');
      });
    });
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    db = await createTestDatabase();
    redis = await createTestRedis();
    http = await HttpReceiver.start();
    smtp = await SmtpSink.start();
    f = new Factories(db.dataSource);
    config = configFor(channelEnvironment(http, smtp));
    events = new QueueEvents(NOTIFICATIONS_QUEUE, { connection: { url: redis.url }, prefix: bullPrefix(redis.prefix) });
    await events.waitUntilReady();
    replicas.push(replica('replica-a'), replica('replica-b'));
    author = await f.user({ name: 'Ann Author' });
    project = await f.project({ name: 'Shop', alert: true, alertChat: 'project-chat' });
    template = await f.template(project.id, { name: 'Deploy' });
    const member = await f.user({ alert: true, email: 'member@example.test' });
    await f.projectMember(project.id, member.id);
    await f.projectMember(project.id, (await f.user({ alert: false })).id);
    await f.user({ alert: true, admin: true, email: 'admin@example.test' });
    await f.user({ alert: true, email: 'outsider@example.test' });
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.processor.beforeApplicationShutdown();
      await r.queue.close();
      r.sender.onModuleDestroy();
    }
    await events?.close();
    await http?.close();
    await smtp?.close();
    await redis?.cleanup();
    await db?.drop();
  });

  it('an error on two replicas at once: every channel gets the exact payload once, e-mail each alert user once', async () => {
    const task = await f.task(template, {
      status: TaskStatus.Error,
      userId: author.id,
      message: 'nightly',
      version: '7',
    });
    const url = `https://semaphore.example.test/project/${project.id}/templates/${template.id}?t=${task.id}`;
    const chats = Object.keys(CHANNEL_PATHS);
    const done = Promise.all(chats.map((c) => settled(`alert-${task.id}-error-${c}`)));
    await Promise.all(replicas.map((r) => r.observers.notify(task.id, TaskStatus.Error)));
    await Promise.all(replicas.map((r) => r.observers.notify(task.id, TaskStatus.Error)));
    for (const path of Object.values(CHANNEL_PATHS)) await http.waitFor(path, 1);
    await smtp.waitFor(2);
    await done;

    for (const path of Object.values(CHANNEL_PATHS)) expect(http.requests(path)).toHaveLength(1);
    expect(http.requests(CHANNEL_PATHS.slack)[0].body).toEqual({
      attachments: [
        {
          title: 'Task: Deploy',
          title_link: url,
          text: `execution #${task.id}, status: ❌ERROR!`,
          color: 'danger',
          mrkdwn_in: ['text'],
          fields: [
            { title: 'Author', value: 'Ann Author', short: true },
            { title: 'Version', value: '7', short: true },
          ],
        },
      ],
    });
    expect(http.requests(CHANNEL_PATHS.telegram)[0].body).toEqual({
      chat_id: 'project-chat',
      parse_mode: 'HTML',
      text: `<code>Deploy</code>\n#${task.id} <b>❌ERROR</b> <code>7</code> - nightly\nby Ann Author\n${url}`,
    });
    expect(http.requests(CHANNEL_PATHS.gotify)[0].path).toBe(`/gotify/message?token=${CHANNEL_SECRETS.gotifyToken}`);
    expect(http.requests(CHANNEL_PATHS.webhook)[0].body).toEqual({
      event: 'task_status',
      task_id: task.id,
      status: 'error',
      result: '❌ERROR',
      template: { id: template.id, name: 'Deploy' },
      project: { id: project.id, name: 'Shop' },
      url,
      author: 'Ann Author',
      version: '7',
      message: 'nightly',
    });
    expect(http.requests(CHANNEL_PATHS.webhook)[0].headers['content-type']).toBe('application/json');

    expect(smtp.mails.map((m) => m.to).sort()).toEqual([['admin@example.test'], ['member@example.test']]);
    for (const mail of smtp.mails) {
      expect(mail.from).toBe(CHANNEL_SECRETS.sender);
      expect(mail.headers.subject).toBe("Task 'Deploy' failed");
      expect(mail.body.trim()).toBe(
        `<p>Task ${task.id} with template 'Deploy' has failed!</p>\n<p>Task Log: <a href="${url}">Link</a></p>`.replace(
          /\n/g,
          '\r\n',
        ),
      );
    }
  });

  it('a failing receiver is retried with backoff and gets one successful delivery', async () => {
    const task = await f.task(template, { status: TaskStatus.Success });
    http.failNext('/rocketchat', 503, 2);
    const before = http.requests('/rocketchat').length;
    const done = settled(`alert-${task.id}-success-rocketchat`);
    await replicas[1].observers.notify(task.id, TaskStatus.Success);
    expect(await done).toBe('completed');
    expect(http.requests('/rocketchat').length - before).toBe(3);
  });

  it('a 4xx answer is not retried', async () => {
    const task = await f.task(template, { status: TaskStatus.Success });
    http.failNext('/dingtalk', 400, 5);
    const before = http.requests('/dingtalk').length;
    const done = settled(`alert-${task.id}-success-dingtalk`);
    await replicas[0].observers.notify(task.id, TaskStatus.Success);
    expect(await done).toBe('failed');
    expect(http.requests('/dingtalk').length - before).toBe(1);
    http.failNext('/dingtalk', 400, 0);
  });

  it('nothing is queued when the project alert is off; success is not sent when the template suppresses it', async () => {
    const quiet = await f.project({ alert: false });
    const quietTask = await f.task(await f.template(quiet.id), { status: TaskStatus.Error });
    const suppressed = await f.template(project.id, { suppressSuccessAlerts: true });
    const ok = await f.task(suppressed, { status: TaskStatus.Success });
    const waiting = await f.task(suppressed, { status: TaskStatus.WaitingConfirmation });
    const done = settled(`alert-${waiting.id}-waiting_confirmation-slack`);
    await replicas[0].observers.notify(quietTask.id, TaskStatus.Error);
    await replicas[0].observers.notify(ok.id, TaskStatus.Success);
    await replicas[0].observers.notify(waiting.id, TaskStatus.WaitingConfirmation);
    await done;
    const jobIds = (await replicas[0].queue.queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])).map(
      (j) => j.id ?? '',
    );
    expect(jobIds.filter((id) => id.startsWith(`alert-${quietTask.id}-`) || id.startsWith(`alert-${ok.id}-`))).toEqual(
      [],
    );
    // waiting_confirmation is not a success: sent to the chats even with the suppress flag, never by e-mail.
    expect(jobIds.filter((id) => id.startsWith(`alert-${waiting.id}-`)).sort()).toEqual(
      ['dingtalk', 'gotify', 'microsoft_teams', 'rocketchat', 'slack', 'telegram', 'webhook'].map(
        (c) => `alert-${waiting.id}-waiting_confirmation-${c}`,
      ),
    );
  });

  it('by default a loopback receiver and the metadata address are refused, nothing reaches them', async () => {
    const strict = configFor({
      SEMAPHORE_SLACK_ALERT: 'true',
      SEMAPHORE_SLACK_URL: `${http.url}/strict-slack`,
      SEMAPHORE_WEBHOOK_ALERT: 'true',
      SEMAPHORE_WEBHOOK_URL: 'http://169.254.169.254/latest/meta-data/',
      SEMAPHORE_GOTIFY_ALERT: 'true',
      SEMAPHORE_GOTIFY_URL: `http://localhost:${new URL(http.url).port}/strict-gotify`,
      SEMAPHORE_GOTIFY_TOKEN: 'x',
    });
    const sender = new NotificationSender(strict);
    const alerts = new TaskAlertsService(new NotificationsRepository(db.dataSource), strict);
    const alert = alerts.testAlert(project);
    await expect(sender.sendHttp('slack', alert)).rejects.toThrow(
      `refused ${http.url}: 127.0.0.1 is a loopback address`,
    );
    await expect(sender.sendHttp('webhook', alert)).rejects.toThrow('169.254.169.254 is a metadata address');
    await expect(sender.sendHttp('gotify', alert)).rejects.toThrow(/refused localhost: .* is a loopback address/);
    expect(http.requests('/strict-slack')).toEqual([]);
    expect(http.requests('/strict-gotify/message')).toEqual([]);
  });
});
