import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { bounded } from '../../common/bounded-wait';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { NotificationQueue } from './notification-queue';
import { NotificationSender } from './notification-sender';
import { NotificationTestService } from './notification-test.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsProcessor } from './notifications.processor';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { TaskAlertsService } from './task-alerts.service';

/**
 * Task alerts (reference 6.3): subscribes to the task queue's status port, queues one delivery per channel on the
 * `notifications` BullMQ queue (exactly once across replicas), sends them with retries (e-mail, Telegram, Slack,
 * Rocket.Chat, Microsoft Teams, DingTalk, Gotify, our JSON webhook) through the outgoing address guard, and serves
 * `POST P/notifications/test`.
 */
@Module({
  controllers: [NotificationsController],
  providers: [
    {
      provide: NotificationQueue,
      inject: [REDIS, ApiConfig],
      useFactory: (redis: Redis, config: ApiConfig) => {
        const logger = new Logger(NotificationQueue.name);
        const { attempts, backoffMs } = config.notifications;
        return new NotificationQueue(redis, config.redis.prefix, { attempts, backoffMs }, (error) =>
          logger.warn(`notifications queue: ${error.message}`),
        );
      },
    },
    NotificationsRepository,
    NotificationSender,
    TaskAlertsService,
    NotificationsService,
    NotificationTestService,
    NotificationsProcessor,
  ],
})
export class NotificationsModule implements OnApplicationShutdown {
  constructor(@Inject(NotificationQueue) private readonly queue: NotificationQueue) {}

  async onApplicationShutdown(): Promise<void> {
    await bounded(this.queue.close(), 2_000);
  }
}
