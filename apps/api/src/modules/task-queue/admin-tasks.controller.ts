import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { isFinishedStatus } from '@semaphore/models';
import { AdminOnly } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { type AdminTaskEntry, TaskOverviewService } from './task-overview.service';
import { TaskControlService } from './task-control.service';
import { TaskQueueRepository } from './task-queue.repository';
import { notFound } from '../../common/api-errors';

/** `/api/tasks`: the tasks queued and running across the cluster (administrators only). */
@Controller('tasks')
@AdminOnly()
export class AdminTasksController {
  constructor(
    private readonly overview: TaskOverviewService,
    private readonly control: TaskControlService,
    private readonly repo: TaskQueueRepository,
  ) {}

  /** `[{task_id, project_id, username?, runner_id?, status, location: "queue"|"running"}]`, queue first (FIFO). */
  @Get()
  list(): Promise<AdminTaskEntry[]> {
    return this.overview.list();
  }

  /** The entry of one task (upstream returns the whole list here, a quirk not copied); 404 when not queued or running. */
  @Get(':task_id')
  async get(@Param('task_id', IdPipe) taskId: number): Promise<AdminTaskEntry> {
    const entry = (await this.overview.list()).find((e) => e.task_id === taskId);
    if (!entry) throw notFound('Task');
    return entry;
  }

  /** A non-forced stop (204). Unknown task: 404; a finished task: nothing to do (204). */
  @Delete(':task_id')
  @HttpCode(204)
  async stop(@Param('task_id', IdPipe) taskId: number): Promise<void> {
    const task = await this.repo.findTaskById(taskId);
    if (!task) throw notFound('Task');
    if (isFinishedStatus(task.status)) return;
    await this.control.stop(task, false);
  }
}
