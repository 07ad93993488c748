import { Injectable, Logger } from '@nestjs/common';
import type { TaskStatus } from '@semaphore/models';

/**
 * Told when a task reached a status worth acting on outside the task queue: a terminal one (once per task, after
 * `TaskLifecycleService` marked it finished) or `waiting_confirmation` (after the event persister committed it; may
 * be told more than once, observers deduplicate).
 */
export interface TaskStatusObserver {
  onTaskStatus(taskId: number, status: TaskStatus): Promise<void>;
}

/**
 * The port through which other modules (e.g. notifications) hear about task statuses without the task queue
 * depending on them: they subscribe at start-up. A failing observer is logged; it never fails the finish path.
 */
@Injectable()
export class TaskStatusObservers {
  private readonly logger = new Logger(TaskStatusObservers.name);
  private readonly observers: TaskStatusObserver[] = [];

  subscribe(observer: TaskStatusObserver): void {
    this.observers.push(observer);
  }

  async notify(taskId: number, status: TaskStatus): Promise<void> {
    for (const observer of this.observers) {
      try {
        await observer.onTaskStatus(taskId, status);
      } catch (err) {
        this.logger.error(`task ${taskId} ${status}: an observer failed: ${String(err)}`);
      }
    }
  }
}
