import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix } from '@semaphore/models';
import { NOTIFICATIONS_QUEUE, SEND_JOB, notificationJobId, type NotificationJobData } from './notification-jobs';

/** Finished jobs are kept a week, so that their ids keep deduplicating late re-adds. */
const KEEP = { age: 7 * 24 * 3600, count: 50_000 };

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/**
 * The producer side of the `notifications` BullMQ queue (under the api's Redis prefix). Shares the api's
 * non-blocking connection; the processor has its own blocking one.
 */
export class NotificationQueue {
  readonly queue: Queue<NotificationJobData>;

  constructor(
    redis: Redis,
    redisPrefix: string,
    private readonly retry: RetryPolicy,
    onError: (error: Error) => void,
  ) {
    this.queue = new Queue<NotificationJobData>(NOTIFICATIONS_QUEUE, {
      connection: redis,
      prefix: bullPrefix(redisPrefix),
    });
    this.queue.on('error', onError);
  }

  /** Adds the deliveries; one already in the queue (same job id) is left as it is. */
  async add(jobs: NotificationJobData[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.queue.addBulk(
      jobs.map((data) => ({
        name: SEND_JOB,
        data,
        opts: {
          jobId: notificationJobId(data),
          attempts: this.retry.attempts,
          backoff: { type: 'exponential', delay: this.retry.backoffMs },
          removeOnComplete: KEEP,
          removeOnFail: KEEP,
        },
      })),
    );
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
