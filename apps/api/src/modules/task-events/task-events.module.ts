import { Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { createRedisClient } from '@semaphore/redis';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { TaskLifecycleService } from '../task-queue/task-lifecycle.service';
import { RunnerReconciler } from './runner-reconciler';
import { ProjectAudience, TaskClaimCache } from './task-event-audience';
import { TaskEventLiveReader } from './task-event-live-reader';
import { TaskEventPersister } from './task-event-persister';
import { TaskEventPublisher } from './task-event-publisher';
import { TaskEventsGateway } from './task-events.gateway';
import { TaskEventsRepository } from './task-events.repository';
import { LIVE_REDIS, PERSIST_REDIS, TaskEventsRuntime } from './task-events.runtime';
import { WsAuthenticator } from './ws-authenticator';

const blockingClient = (role: string) => (config: ApiConfig) =>
  createRedisClient({
    url: config.redis.url,
    connectionName: `api:${config.nodeId}:${role}`,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    blocking: true,
  });

/**
 * The event path: the persist consumer group (stream -> PostgreSQL), the live reader and WebSocket gateway
 * (`/api/ws`), and the reconciler of lost runners. Exports TaskEventPublisher to announce task changes.
 */
@Module({
  providers: [
    TaskEventsRepository,
    WsAuthenticator,
    TaskEventsGateway,
    TaskEventsRuntime,
    { provide: PERSIST_REDIS, inject: [ApiConfig], useFactory: blockingClient('persist') },
    { provide: LIVE_REDIS, inject: [ApiConfig], useFactory: blockingClient('live') },
    {
      provide: TaskEventPublisher,
      inject: [REDIS, ApiConfig],
      useFactory: (redis: Redis, config: ApiConfig) => new TaskEventPublisher(redis, config.redis.prefix),
    },
    {
      provide: ProjectAudience,
      inject: [TaskEventsRepository],
      useFactory: (r: TaskEventsRepository) => new ProjectAudience(r),
    },
    {
      provide: TaskClaimCache,
      inject: [TaskEventsRepository],
      useFactory: (r: TaskEventsRepository) => new TaskClaimCache(r),
    },
    {
      provide: TaskEventPersister,
      inject: [REDIS, PERSIST_REDIS, TaskEventsRepository, TaskEventPublisher, TaskLifecycleService, ApiConfig],
      useFactory: (
        redis: Redis,
        blocking: Redis,
        repo: TaskEventsRepository,
        publisher: TaskEventPublisher,
        lifecycle: TaskLifecycleService,
        config: ApiConfig,
      ) =>
        new TaskEventPersister(redis, blocking, repo, publisher, lifecycle, {
          prefix: config.redis.prefix,
          consumer: config.nodeId,
        }),
    },
    {
      provide: TaskEventLiveReader,
      inject: [LIVE_REDIS, ApiConfig],
      useFactory: (blocking: Redis, config: ApiConfig) =>
        new TaskEventLiveReader(blocking, { prefix: config.redis.prefix }),
    },
    {
      provide: RunnerReconciler,
      inject: [REDIS, TaskEventsRepository, TaskEventPublisher, TaskLifecycleService, ApiConfig],
      useFactory: (
        redis: Redis,
        repo: TaskEventsRepository,
        publisher: TaskEventPublisher,
        lifecycle: TaskLifecycleService,
        config: ApiConfig,
      ) =>
        new RunnerReconciler(redis, repo, publisher, lifecycle, {
          prefix: config.redis.prefix,
          nodeId: config.nodeId,
          lostAfterMs: config.tasks.runnerLostAfterMs,
        }),
    },
  ],
  exports: [TaskEventPublisher, TaskEventsGateway],
})
export class TaskEventsModule {}
