import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { Permission, type ProjectRole, type WireTask } from '@semaphore/models';
import type { ProjectEntity, UserEntity } from '@semaphore/persistence';
import { CurrentProject, CurrentProjectRole, CurrentUser, RequirePermission } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { toWireTask } from '../../wire';
import { RetryTaskDto } from './dto/retry-task.dto';
import { TaskRetryService } from './task-retry.service';

/** `POST P/tasks/{id}/retry` (RunProjectTasks: task_runner and up, as running a task). */
@Controller('project/:project_id/tasks')
@RequirePermission(Permission.RunProjectTasks)
export class TaskRetryController {
  constructor(private readonly retries: TaskRetryService) {}

  /** 201 with the new Task (as `POST P/tasks`), `retry_of_task_id` = the original. 400 unless it has finished. */
  @Post(':task_id/retry')
  @HttpCode(201)
  async retry(
    @CurrentProject() project: ProjectEntity,
    @CurrentUser() user: UserEntity,
    @CurrentProjectRole() role: ProjectRole | null,
    @Param('task_id', IdPipe) taskId: number,
    @Body() body: RetryTaskDto,
  ): Promise<WireTask> {
    return toWireTask(await this.retries.retry(project, user, role, taskId, body.secret));
  }
}
