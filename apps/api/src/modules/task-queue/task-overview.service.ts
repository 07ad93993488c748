import { Injectable } from '@nestjs/common';
import { isFinishedStatus, TaskStatus } from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import { TaskQueueRepository } from './task-queue.repository';
import { TaskStateStore } from './task-state.store';

/** An entry of `GET /api/tasks` (upstream's in-memory pool view; `username` and `runner_id` only when set). */
export interface AdminTaskEntry {
  task_id: number;
  project_id: number;
  username?: string;
  runner_id?: number;
  status: string;
  location: 'queue' | 'running';
}

/** The cluster's task pool as administrators see it: the TaskStateStore's waiting and admitted tasks. */
@Injectable()
export class TaskOverviewService {
  constructor(
    private readonly store: TaskStateStore,
    private readonly repo: TaskQueueRepository,
  ) {}

  /**
   * Waiting tasks in FIFO order, then admitted ones by id. `location` is `queue` while the task has not been claimed
   * (waiting for admission or in a BullMQ queue) and `running` once a runner holds it. Tasks that just finished (the
   * store is released right after the row) are left out.
   */
  async list(): Promise<AdminTaskEntry[]> {
    const { waiting, active } = await this.store.snapshot();
    const rows = new Map((await this.repo.findTasksWithUser([...waiting, ...active])).map((t) => [t.id, t]));
    const entries: AdminTaskEntry[] = [];
    for (const id of [...waiting, ...active]) {
      const task = rows.get(id);
      if (task && !isFinishedStatus(task.status)) entries.push(entry(task));
    }
    return entries;
  }
}

function entry(task: TaskEntity): AdminTaskEntry {
  return {
    task_id: task.id,
    project_id: task.projectId,
    ...(task.user?.username ? { username: task.user.username } : {}),
    ...(task.runnerId !== null ? { runner_id: task.runnerId } : {}),
    status: task.status,
    location: task.status === TaskStatus.Waiting ? 'queue' : 'running',
  };
}
