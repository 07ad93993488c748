import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskEntity, TaskOutputEntity, TemplateEntity } from '@semaphore/persistence';
import { TasksController } from './tasks.controller';
import { TasksRepository } from './tasks.repository';
import { TasksService } from './tasks.service';
import { TemplateTasksController } from './template-tasks.controller';

/** Task reads (`P/tasks...`, `P/templates/{id}/tasks...`) and task deletion. */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity, TaskOutputEntity, TemplateEntity])],
  controllers: [TasksController, TemplateTasksController],
  providers: [TasksRepository, TasksService],
  exports: [TasksService],
})
export class TasksModule {}
