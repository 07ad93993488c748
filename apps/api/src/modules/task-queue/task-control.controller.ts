import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Permission, type ProjectRole, type WireTask } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { notFound } from '../../common/api-errors';
import { CurrentProject, CurrentProjectRole, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { toWireTask } from '../../wire';
import { CreateTaskDto } from './dto/create-task.dto';
import { StopTaskDto } from './dto/stop-task.dto';
import { TaskControlService } from './task-control.service';
import { TaskCreateService } from './task-create.service';
import { TaskQueueRepository } from './task-queue.repository';

/** Running tasks: `POST P/tasks`, stop, confirm, reject (RunProjectTasks: task_runner and up). */
@Controller('project/:project_id')
@RequirePermission(Permission.RunProjectTasks)
export class TaskControlController {
  constructor(
    private readonly creator: TaskCreateService,
    private readonly control: TaskControlService,
    private readonly repo: TaskQueueRepository,
  ) {}

  /** 201 with the Task (`secret` is always "{}"). */
  @Post('tasks')
  @HttpCode(201)
  async create(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @CurrentProjectRole() role: ProjectRole | null,
    @Body() body: CreateTaskDto,
  ): Promise<WireTask> {
    return toWireTask(await this.creator.createFromRequest(project, user, role, body));
  }

  /** `{"force": bool}` (`{}` is a normal stop). 400 for a finished task. */
  @Post('tasks/:task_id/stop')
  @HttpCode(204)
  async stop(
    @CurrentProject() project: ProjectEntity,
    @Param('task_id', IdPipe) taskId: number,
    @Body() body: StopTaskDto,
  ): Promise<void> {
    await this.control.stop(await this.control.requireTask(project, taskId), body.force ?? false);
  }

  /** Pauses the transfer of a running sftp task (this server's addition): 400 for other tasks. */
  @Post('tasks/:task_id/pause')
  @HttpCode(204)
  async pause(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) taskId: number): Promise<void> {
    await this.control.setPaused(await this.control.requireTask(project, taskId), true);
  }

  @Post('tasks/:task_id/resume')
  @HttpCode(204)
  async resume(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) taskId: number): Promise<void> {
    await this.control.setPaused(await this.control.requireTask(project, taskId), false);
  }

  /** Terraform/OpenTofu plan accepted: 400 unless the task waits for confirmation. */
  @Post('tasks/:task_id/confirm')
  @HttpCode(204)
  async confirm(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) taskId: number): Promise<void> {
    await this.control.confirm(await this.control.requireTask(project, taskId));
  }

  /** Terraform/OpenTofu plan refused (`rejected`, terminal): 400 unless the task waits for confirmation. */
  @Post('tasks/:task_id/reject')
  @HttpCode(204)
  async reject(@CurrentProject() project: ProjectEntity, @Param('task_id', IdPipe) taskId: number): Promise<void> {
    await this.control.reject(await this.control.requireTask(project, taskId));
  }

  /** Stops every unfinished task of the template (404 for another project's template). */
  @Post('templates/:template_id/stop_all_tasks')
  @HttpCode(204)
  async stopAll(
    @CurrentProject() project: ProjectEntity,
    @Param('template_id', IdPipe) templateId: number,
  ): Promise<void> {
    if (!(await this.repo.findTemplate(project.id, templateId))) throw notFound('Template');
    await this.control.stopAllOfTemplate(templateId);
  }
}
