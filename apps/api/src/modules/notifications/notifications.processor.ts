import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix } from '@semaphore/models';
import { closeRedis, createRedisClient } from '@semaphore/redis';
import { bounded } from '../../common/bounded-wait';
import { ApiConfig } from '../../config';
import { NOTIFICATIONS_QUEUE, parseNotificationJob, type NotificationJobData } from './notification-jobs';
import { NotificationSender, type SendOutcome } from './notification-sender';
import { NotificationsRepository } from './notifications.repository';
import { OutgoingRequestError } from './outgoing/guarded-http';
import { TaskAlertsService } from './task-alerts.service';

const SHUTDOWN_WAIT_MS = 2_000;

const CONCURRENCY = 4;

/**
 * The worker of the `notifications` queue, on every replica: builds the alert from the database and sends it through
 * the job's channel. A failure is retried with exponential backoff (BullMQ attempts); a refused address or a 4xx
 * answer is not retried. Every failure is logged with its reason, never with the URL's path or query (tokens).
 */
@Injectable()
export class NotificationsProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(NotificationsProcessor.name);
  private worker: Worker<NotificationJobData> | null = null;
  private workerRedis: Redis | null = null;

  constructor(
    private readonly config: ApiConfig,
    private readonly sender: NotificationSender,
    private readonly alerts: TaskAlertsService,
    private readonly repo: NotificationsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.workerRedis = createRedisClient({
      url: this.config.redis.url,
      connectionName: `api:${this.config.nodeId}:notifications`,
      commandTimeoutMs: this.config.redis.commandTimeoutMs,
      blocking: true,
    });
    this.worker = new Worker<NotificationJobData>(NOTIFICATIONS_QUEUE, (job) => this.process(job), {
      connection: this.workerRedis,
      prefix: bullPrefix(this.config.redis.prefix),
      concurrency: CONCURRENCY,
    });
    this.worker.on('error', (err) => this.logger.warn(`notifications worker: ${err.message}`));
    this.worker.on('failed', (job, err) => {
      if (!job) return;
      const attempts = job.opts.attempts ?? 1;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= attempts;
      const line = `alert ${job.id} not sent (attempt ${job.attemptsMade}/${attempts}${final ? ', giving up' : ''}): ${err.message}`;
      if (final) this.logger.error(line);
      else this.logger.warn(line);
    });
  }

  /** Bounded: with Redis unreachable, BullMQ's close would wait for it forever. */
  async beforeApplicationShutdown(): Promise<void> {
    await bounded(this.worker?.close(), SHUTDOWN_WAIT_MS);
    if (this.workerRedis) await closeRedis(this.workerRedis);
  }

  /** One delivery. Exported for the integration test's own worker. */
  async process(job: Job<unknown>): Promise<SendOutcome> {
    const data = parseNotificationJob(job.data);
    if (!data) throw new UnrecoverableError('invalid notification job data');
    const found = await this.alerts.forTask(data.taskId, data.status);
    if (!found) return { sent: false, reason: `task ${data.taskId} is gone` };
    try {
      let outcome: SendOutcome;
      if (data.channel === 'email') {
        const recipient = await this.repo.recipient(found.project.id, data.userId ?? 0);
        outcome = recipient
          ? await this.sender.sendEmail(recipient.email, found.alert)
          : { sent: false, reason: `user ${data.userId} no longer gets alerts` };
      } else {
        outcome = await this.sender.sendHttp(data.channel, found.alert);
      }
      if (outcome.sent) this.logger.log(`alert ${job.id} sent to ${outcome.target}`);
      else this.logger.log(`alert ${job.id} skipped: ${outcome.reason}`);
      return outcome;
    } catch (err) {
      if (err instanceof OutgoingRequestError && err.permanent) throw new UnrecoverableError(err.message);
      throw err;
    }
  }
}
