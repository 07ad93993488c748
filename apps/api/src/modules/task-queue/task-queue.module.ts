import { Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { InventoryEntity, ProjectEntity, TaskEntity, TaskOutputEntity, TemplateEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { AdminTasksController } from './admin-tasks.controller';
import { QueueControlService } from './queue-control.service';
import { TaskAdmissionService } from './task-admission.service';
import { TaskControlController } from './task-control.controller';
import { TaskControlService } from './task-control.service';
import { TaskCreateService } from './task-create.service';
import { TaskDispatcher } from './task-dispatcher';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskOverviewService } from './task-overview.service';
import { TaskQueueRepository } from './task-queue.repository';
import { TaskQueueSweeper } from './task-queue.sweeper';
import { TaskRetryController } from './task-retry.controller';
import { TaskRetryService } from './task-retry.service';
import { TaskStateStore } from './task-state.store';
import { TaskStatusObservers } from './task-status-observers';
import { TaskStreamPublisher } from './task-stream.publisher';

/**
 * The control plane of task execution: creation (`POST P/tasks`), admission (TaskStateStore in Redis), release to the
 * BullMQ queues (which can be paused), retries, control (stop / confirm / reject), the admin task pool and the finish
 * path. Global so that the event persister and the reconciler can call TaskLifecycleService.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskOutputEntity, TemplateEntity, InventoryEntity, ProjectEntity])],
  controllers: [TaskControlController, TaskRetryController, AdminTasksController],
  providers: [
    {
      provide: TaskStateStore,
      inject: [REDIS, ApiConfig],
      useFactory: (redis: Redis, config: ApiConfig) => new TaskStateStore(redis, config.redis.prefix),
    },
    {
      provide: TaskDispatcher,
      inject: [REDIS, ApiConfig, TaskStateStore],
      useFactory: (redis: Redis, config: ApiConfig, store: TaskStateStore) => {
        const logger = new Logger(TaskDispatcher.name);
        const onError = (error: Error) => logger.error(`BullMQ: ${error.message}`);
        return new TaskDispatcher(redis, config.redis.prefix, onError, store);
      },
    },
    TaskQueueRepository,
    TaskStreamPublisher,
    TaskAdmissionService,
    TaskCreateService,
    TaskLifecycleService,
    TaskControlService,
    TaskOverviewService,
    TaskQueueSweeper,
    TaskStatusObservers,
    TaskRetryService,
    QueueControlService,
  ],
  exports: [
    TaskLifecycleService,
    TaskCreateService,
    TaskStatusObservers,
    TaskControlService,
    TaskRetryService,
    QueueControlService,
  ],
})
export class TaskQueueModule {}
