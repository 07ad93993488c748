import { Injectable } from '@nestjs/common';
import type { TaskEntity } from '@semaphore/persistence';

/**
 * What happens around a task's life in the cluster: admission into the queues when it is created, and the release
 * of its slot (plus build -> deploy autorun) when it ends. Owned by the task-queue module; the event persister and
 * the reconciler call `onTaskFinished` when they move a task to a terminal status.
 */
@Injectable()
export class TaskLifecycleService {
  /** Called once a task row reached stopped, success, error or rejected. Idempotent. */
  async onTaskFinished(task: TaskEntity): Promise<void> {
    void task;
    throw new Error('TaskLifecycleService.onTaskFinished is not implemented yet');
  }

  /** Re-offers a claimed-but-never-started task to the queues (its runner vanished before starting it). */
  async requeue(task: TaskEntity): Promise<void> {
    void task;
    throw new Error('TaskLifecycleService.requeue is not implemented yet');
  }
}
