import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import type { UserEntity } from '@semaphore/persistence';
import { CurrentUser } from '../../common/decorators';
import { IdPipe } from '../../common/id.pipe';
import { RetryFailedDto } from './dto/retry-failed.dto';
import { FailedRetryService, type RetryFailedResult } from './failed-retry.service';
import { QueueAccessGuard } from './queue-access.guard';
import { QueueNamePipe } from './queue-name.pipe';
import type { QueuedTaskView, QueuesOverview } from './queue-overview';
import { CurrentQueueScope, type QueueScope } from './queue-scope';
import { QueuesService } from './queues.service';

/**
 * The task queues: `/api/queues...` (administrators, every project) and `/api/project/{project_id}/queues...` (the
 * project's owners and managers; only the project's tasks are shown or changed). A queue is `tasks` (untagged tasks)
 * or a runner tag; a name of another shape is a 400, a queue that nothing uses a 404.
 */
@Controller(['queues', 'project/:project_id/queues'])
@UseGuards(QueueAccessGuard)
export class QueuesController {
  constructor(
    private readonly queues: QueuesService,
    private readonly failed: FailedRetryService,
  ) {}

  /** Counts by state per queue, per project in each queue and per project, with the pause flags. */
  @Get()
  overview(@CurrentQueueScope() scope: QueueScope): Promise<QueuesOverview> {
    return this.queues.overview(scope);
  }

  /** `{template_id?, since?, limit? <= 100}` -> 200 `{tasks: Task[], skipped: [{task_id, reason}]}`. */
  @Post('retry-failed')
  @HttpCode(200)
  retryFailed(
    @CurrentQueueScope() scope: QueueScope,
    @CurrentUser() user: UserEntity,
    @Body() body: RetryFailedDto,
  ): Promise<RetryFailedResult> {
    return this.failed.retryFailed(scope, user, body);
  }

  /** The queued tasks in dispatch order, with their 1-based `position`. */
  @Get(':queue/tasks')
  tasks(
    @CurrentQueueScope() scope: QueueScope,
    @Param('queue', QueueNamePipe) queue: string,
  ): Promise<QueuedTaskView[]> {
    return this.queues.queuedTasks(scope, queue);
  }

  /** 204. Queued tasks stay queued, nothing is released to runners until resume. Idempotent. */
  @Post(':queue/pause')
  @HttpCode(204)
  async pause(@CurrentQueueScope() scope: QueueScope, @Param('queue', QueueNamePipe) queue: string): Promise<void> {
    await this.queues.pause(scope, queue);
  }

  /** 204. The held tasks are admitted in FIFO order, as the limits allow. */
  @Post(':queue/resume')
  @HttpCode(204)
  async resume(@CurrentQueueScope() scope: QueueScope, @Param('queue', QueueNamePipe) queue: string): Promise<void> {
    await this.queues.resume(scope, queue);
  }

  /** 204: the queued task is `stopped`. 409 when a runner already has it (use `POST P/tasks/{id}/stop`). */
  @Post(':queue/tasks/:task_id/cancel')
  @HttpCode(204)
  async cancel(
    @CurrentQueueScope() scope: QueueScope,
    @Param('queue', QueueNamePipe) queue: string,
    @Param('task_id', IdPipe) taskId: number,
  ): Promise<void> {
    await this.queues.cancel(scope, queue, taskId);
  }
}
