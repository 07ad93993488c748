import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { TaskStatus, redisKey } from '@semaphore/models';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { TaskStatusObservers, type TaskStatusObserver } from '../task-queue/task-status-observers';
import { isAlertStatus } from './alert';
import { HTTP_CHANNELS, type HttpChannelName } from './channels';
import type { NotificationJobData } from './notification-jobs';
import { NotificationQueue } from './notification-queue';
import { NotificationSender } from './notification-sender';
import { NotificationsRepository } from './notifications.repository';
import { TaskAlertsService, type TaskAlert } from './task-alerts.service';

/** A (task, status) is decided once across replicas; the mark is kept this long. */
const DECIDED_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Decides which alerts a task status raises (reference 6.3) and queues one delivery per channel (and per e-mail
 * recipient). Subscribed to the task queue's status port; the decision for a (task, status) is taken once across all
 * replicas (`SET NX`), and each delivery has a deterministic job id on top.
 */
@Injectable()
export class NotificationsService implements OnModuleInit, TaskStatusObserver {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly config: ApiConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly observers: TaskStatusObservers,
    private readonly queue: NotificationQueue,
    private readonly sender: NotificationSender,
    private readonly alerts: TaskAlertsService,
    private readonly repo: NotificationsRepository,
  ) {}

  onModuleInit(): void {
    this.observers.subscribe(this);
  }

  async onTaskStatus(taskId: number, status: TaskStatus): Promise<void> {
    if (!isAlertStatus(status) || !this.anyChannelEnabled()) return;
    const mark = redisKey(this.config.redis.prefix, 'notifications', 'decided', taskId, status);
    if ((await this.redis.set(mark, this.config.nodeId, 'EX', DECIDED_TTL_SECONDS, 'NX')) !== 'OK') return;
    let jobs: NotificationJobData[];
    try {
      const found = await this.alerts.forTask(taskId, status);
      jobs = found ? await this.deliveries(found, status) : [];
      await this.queue.add(jobs);
    } catch (err) {
      // Nothing was queued: let a later report of the same status (e.g. a redelivered event) decide again.
      await this.redis.del(mark).catch(() => undefined);
      throw err;
    }
    if (jobs.length > 0) this.logger.log(`task ${taskId} ${status}: ${jobs.length} alert deliveries queued`);
  }

  /** The preconditions of reference 6.3, as the list of deliveries to make. */
  async deliveries({ task, template, project }: TaskAlert, status: TaskStatus): Promise<NotificationJobData[]> {
    if (!project.alert) return [];
    const jobs: NotificationJobData[] = [];
    const base = { taskId: task.id, status };
    const chats = !(status === TaskStatus.Success && template.suppressSuccessAlerts);
    for (const channel of Object.keys(HTTP_CHANNELS) as HttpChannelName[]) {
      if (chats && this.sender.enabled(channel)) jobs.push({ ...base, channel });
    }
    if (status === TaskStatus.Error && this.sender.enabled('email')) {
      for (const user of await this.repo.alertRecipients(project.id)) {
        jobs.push({ ...base, channel: 'email', userId: user.id });
      }
    }
    return jobs;
  }

  private anyChannelEnabled(): boolean {
    return (
      this.sender.enabled('email') ||
      (Object.keys(HTTP_CHANNELS) as HttpChannelName[]).some((c) => this.sender.enabled(c))
    );
  }
}
