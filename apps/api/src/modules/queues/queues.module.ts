import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryEntity, ProjectEntity, RunnerEntity, TaskEntity, TemplateEntity } from '@semaphore/persistence';
import { FailedRetryService } from './failed-retry.service';
import { QueueAccessGuard } from './queue-access.guard';
import { QueuesController } from './queues.controller';
import { QueuesRepository } from './queues.repository';
import { QueuesService } from './queues.service';

/**
 * Queue management (`/api/queues...`, `/api/project/{id}/queues...`): counts, dispatch order, pause / resume, cancel
 * and bulk retry. The admission side (pause set, retries, stop) is the task-queue module's, which exports it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TemplateEntity, InventoryEntity, RunnerEntity, ProjectEntity])],
  controllers: [QueuesController],
  providers: [QueuesRepository, QueuesService, FailedRetryService, QueueAccessGuard],
})
export class QueuesModule {}
