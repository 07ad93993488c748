import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { RunnersModule } from '../runners/runners.module';
import { ArtifactStore } from './artifact-store';
import { InternalTaskArtifactsController } from './internal-task-artifacts.controller';
import { TaskArtifactsController } from './task-artifacts.controller';
import { TaskArtifactsRepository } from './task-artifacts.repository';
import { TaskArtifactsService } from './task-artifacts.service';
import { TaskDeletionMiddleware } from './task-deletion.middleware';

/**
 * Task artifacts: files runners upload from the tasks they hold (`SEMAPHORE_ARTIFACTS_PATH`), listed and downloaded
 * by project members, removed with their task; and host keys runners trusted on first use, recorded in the
 * project's known hosts.
 */
@Module({
  imports: [RunnersModule],
  controllers: [InternalTaskArtifactsController, TaskArtifactsController],
  providers: [TaskArtifactsService, TaskArtifactsRepository, ArtifactStore],
})
export class TaskArtifactsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(TaskDeletionMiddleware)
      .forRoutes({ path: 'project/:project_id/tasks/:task_id', method: RequestMethod.DELETE });
  }
}
