import { Injectable, Logger } from '@nestjs/common';
import type { TaskEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { TaskDispatcher } from './task-dispatcher';
import { type AdmittedTask, type TaskRegistration, TaskStateStore } from './task-state.store';

/**
 * Admission of tasks into the BullMQ queues: register in the TaskStateStore, admit atomically within the limits
 * (global `max_parallel_tasks` from the config, the project's, one per template unless parallel, FIFO per template),
 * then one job per admitted task. If this process dies between admission and the job, the sweep re-adds the job.
 */
@Injectable()
export class TaskAdmissionService {
  private readonly logger = new Logger(TaskAdmissionService.name);

  constructor(
    private readonly store: TaskStateStore,
    private readonly dispatcher: TaskDispatcher,
    private readonly config: ApiConfig,
  ) {}

  /** Registers a waiting task (idempotent). */
  async register(task: TaskEntity, allowParallel: boolean, projectMaxParallel: number): Promise<void> {
    await this.store.register(registration(task, allowParallel, projectMaxParallel));
  }

  /** Admits what fits and adds the jobs. Returns the admitted tasks. */
  async admitAndDispatch(): Promise<AdmittedTask[]> {
    return this.dispatch(await this.store.admit(this.config.tasks.maxParallelTasks));
  }

  /** `register` then `admitAndDispatch`, with one Redis round trip for both (the path of a new task). */
  async registerAndDispatch(
    task: TaskEntity,
    allowParallel: boolean,
    projectMaxParallel: number,
  ): Promise<AdmittedTask[]> {
    const reg = registration(task, allowParallel, projectMaxParallel);
    return this.dispatch(await this.store.registerAndAdmit(reg, this.config.tasks.maxParallelTasks));
  }

  private async dispatch(admitted: AdmittedTask[]): Promise<AdmittedTask[]> {
    if (admitted.length > 0) {
      await this.dispatcher.add(admitted);
      this.logger.debug({ taskIds: admitted.map((t) => t.taskId) }, 'tasks admitted');
    }
    return admitted;
  }

  /** Frees the task's slot (or removes it from the waiting list). Idempotent. */
  release(taskId: number): Promise<boolean> {
    return this.store.release(taskId);
  }

  /** `release` then `admitAndDispatch`, with one Redis round trip for both (the path of a finished task). */
  async releaseAndDispatch(taskId: number): Promise<AdmittedTask[]> {
    const { admitted } = await this.store.releaseAndAdmit(taskId, this.config.tasks.maxParallelTasks);
    return this.dispatch(admitted);
  }

  /** Re-adds the job of an admitted task that is still waiting, unless it has a live one (sweep). */
  ensureJob(task: TaskEntity): Promise<boolean> {
    return this.dispatcher.ensureJob({ taskId: task.id, projectId: task.projectId, runnerTag: task.runnerTag });
  }

  /** Clears a finished job left from an earlier claim, so the task can be offered again (requeue). */
  async clearOldJob(task: TaskEntity): Promise<void> {
    await this.dispatcher.removeFinishedJob(task.id, task.runnerTag);
  }

  /** Removes the BullMQ job of a task that will not run; a job a worker already holds is left alone. */
  async dropJob(task: TaskEntity): Promise<void> {
    await this.dispatcher.remove(task.id, task.runnerTag);
  }
}

function registration(task: TaskEntity, allowParallel: boolean, projectMaxParallel: number): TaskRegistration {
  return {
    taskId: task.id,
    projectId: task.projectId,
    templateId: task.templateId,
    allowParallel,
    projectMaxParallel,
    runnerTag: task.runnerTag,
  };
}
