import { Injectable } from '@nestjs/common';
import { isFinishedStatus, TaskStatus } from '@semaphore/models';
import { conflict, notFound } from '../../common/api-errors';
import { QueueControlService } from '../task-queue/queue-control.service';
import { queueOfTag, tagOfQueue } from '../task-queue/queue-pause';
import { TaskControlService } from '../task-queue/task-control.service';
import { buildOverview, type QueuedTaskView, queuedTasks, type QueuesOverview } from './queue-overview';
import { type QueueScope, scopeProjectId } from './queue-scope';
import { QueuesRepository } from './queues.repository';

/** `failed_24h` counts the tasks that ended in `error` within this window. */
const FAILED_WINDOW_MS = 24 * 3600 * 1000;
/** `GET .../queues/{queue}/tasks` lists at most this many (the head of the queue), as `GET P/tasks`. */
export const QUEUED_TASKS_LIMIT = 1000;

/**
 * Queue management for administrators (every project) and for a project's owners and managers (its own tasks only):
 * counts per queue and project, the queued tasks in dispatch order, pause and resume, cancelling a queued task.
 * Counts come from PostgreSQL (statuses) and the TaskStateStore (which waiting tasks are admitted).
 */
@Injectable()
export class QueuesService {
  constructor(
    private readonly repo: QueuesRepository,
    private readonly queues: QueueControlService,
    private readonly control: TaskControlService,
  ) {}

  async overview(scope: QueueScope, now = new Date()): Promise<QueuesOverview> {
    const projectId = scopeProjectId(scope);
    const [unfinished, failed, admitted, pauseEntries, configuredTags] = await Promise.all([
      this.repo.unfinished({ projectId }),
      this.repo.failedCounts(new Date(now.getTime() - FAILED_WINDOW_MS), projectId),
      this.queues.admittedTaskIds(),
      this.queues.pausedEntries(),
      this.repo.configuredTags(projectId),
    ]);
    return buildOverview({ projectId, unfinished, failed, admitted, pauseEntries, configuredTags });
  }

  /** The queued tasks of a queue (of the scope's project only, on project routes), in dispatch order. */
  async queuedTasks(scope: QueueScope, queue: string): Promise<QueuedTaskView[]> {
    await this.requireQueue(scope, queue);
    const [rows, admitted, pauseEntries] = await Promise.all([
      this.repo.unfinished({ projectId: scopeProjectId(scope), tag: tagOfQueue(queue), status: TaskStatus.Waiting }),
      this.queues.admittedTaskIds(),
      this.queues.pausedEntries(),
    ]);
    return queuedTasks(rows, admitted, pauseEntries, QUEUED_TASKS_LIMIT);
  }

  /** Administrators pause the whole queue; a project's owner or manager only the project's tasks in it. */
  async pause(scope: QueueScope, queue: string): Promise<void> {
    await this.requireQueue(scope, queue);
    await this.queues.pause(tagOfQueue(queue), scopeProjectId(scope));
  }

  /** Lifts the pause of the same scope (a project cannot lift an administrator's queue-wide pause). */
  async resume(scope: QueueScope, queue: string): Promise<void> {
    await this.requireQueue(scope, queue);
    await this.queues.resume(tagOfQueue(queue), scopeProjectId(scope));
  }

  /**
   * Cancels a queued task: it ends `stopped` through the normal stop path (update event, finish event, alerts). 404
   * for a task that is not in this queue (or not of the project); 409 once a runner has it (use stop) or it ended.
   */
  async cancel(scope: QueueScope, queue: string, taskId: number): Promise<void> {
    await this.requireQueue(scope, queue);
    const task = await this.repo.findTask(taskId, scopeProjectId(scope));
    if (!task || queueOfTag(task.runnerTag) !== queue) throw notFound('Task');
    if (isFinishedStatus(task.status)) throw conflict(`Task ${task.id} has already finished (status ${task.status})`);
    if (task.status !== TaskStatus.Waiting) {
      throw conflict(
        `Task ${task.id} is no longer queued (status ${task.status}): use POST /api/project/${task.projectId}/tasks/${task.id}/stop`,
      );
    }
    await this.control.stop(task, false);
  }

  /** 404 unless the queue is one the scope's overview lists. */
  private async requireQueue(scope: QueueScope, queue: string): Promise<void> {
    const { queues } = await this.overview(scope);
    if (!queues.some((q) => q.name === queue)) throw notFound('Queue');
  }
}
