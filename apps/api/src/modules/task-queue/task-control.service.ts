import { Injectable, Logger } from '@nestjs/common';
import { AppId, isFinishedStatus, type RunnerControlMessage, TaskStatus } from '@semaphore/models';
import type { ProjectEntity, TaskEntity } from '@semaphore/persistence';
import { badRequest, notFound } from '../../common/api-errors';
import { RedisAvailability } from '../../redis/redis.module';
import { TaskAdmissionService } from './task-admission.service';
import { TaskLifecycleService } from './task-lifecycle.service';
import { TaskQueueRepository } from './task-queue.repository';
import { type ControlFlag, TaskStreamPublisher } from './task-stream.publisher';
import { canTransition, timesAfter } from './task-transition';

/** A compare-and-set lost to a concurrent change is retried on the fresh row this many times. */
const MAX_ATTEMPTS = 5;

/**
 * Stop, force stop, confirm and reject. Every status change is a compare-and-set under the transition guard
 * (reference §3.1) that writes `start`/`end`, is announced as an `api` `update` batch, and on a terminal status runs
 * the finish path (`TaskLifecycleService.onTaskFinished`). Runners hear about it through the durable control flag
 * and the control channel (set after the row changed, so a runner's own report cannot overtake it).
 */
@Injectable()
export class TaskControlService {
  private readonly logger = new Logger(TaskControlService.name);

  constructor(
    private readonly repo: TaskQueueRepository,
    private readonly admission: TaskAdmissionService,
    private readonly lifecycle: TaskLifecycleService,
    private readonly publisher: TaskStreamPublisher,
    private readonly redis: RedisAvailability,
  ) {}

  async requireTask(project: ProjectEntity, taskId: number): Promise<TaskEntity> {
    const task = await this.repo.findTask(project.id, taskId);
    if (!task) throw notFound('Task');
    return task;
  }

  /**
   * A waiting (unclaimed) task becomes `stopped` at once (slot released, job removed). A claimed one becomes
   * `stopping` and its runner is told to stop it (force: `stopped` at once, the runner kills the process tree).
   * A finished task is a 400.
   */
  async stop(task: TaskEntity, force: boolean): Promise<void> {
    await this.redis.require();
    let current = task;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (isFinishedStatus(current.status)) {
        throw badRequest(`Task ${current.id} has already finished (status ${current.status})`);
      }
      if (current.status === TaskStatus.Waiting) {
        const stopped = await this.applyStatus(current, TaskStatus.Stopped);
        if (stopped) {
          await this.admission.dropJob(stopped).catch((error: unknown) => this.warn(stopped, 'remove the job', error));
          return;
        }
      } else {
        const target = force ? TaskStatus.Stopped : TaskStatus.Stopping;
        const changed = current.status === target || (await this.applyStatus(current, target)) !== null;
        if (changed) {
          await this.signal(current.id, force ? 'force-stop' : 'stop', { type: 'stop', taskId: current.id, force });
          return;
        }
      }
      current = await this.reload(current);
    }
    throw badRequest(`Task ${task.id} changed too often; try again`);
  }

  /**
   * Pauses (or resumes) the transfer of a running sftp task: its runner stops sending between chunks and keeps the
   * connection; the task's `progress.paused` shows when it took effect. 400 for other apps and other statuses.
   */
  async setPaused(task: TaskEntity, paused: boolean): Promise<void> {
    await this.redis.require();
    const template = await this.repo.findTemplate(task.projectId, task.templateId);
    if (template?.app !== AppId.Sftp) throw badRequest(`Task ${task.id} is not an sftp task: only transfers pause`);
    if (task.status !== TaskStatus.Running) {
      throw badRequest(`Task ${task.id} is not running (status ${task.status}): only a running transfer pauses`);
    }
    await this.publisher.pause(task.id, paused);
  }

  /** `waiting_confirmation` -> `confirmed`, and the runner applies the plan. */
  confirm(task: TaskEntity): Promise<void> {
    return this.decide(task, TaskStatus.Confirmed, 'confirm');
  }

  /** `waiting_confirmation` -> `rejected` (terminal), and the runner ends the task without applying. */
  reject(task: TaskEntity): Promise<void> {
    return this.decide(task, TaskStatus.Rejected, 'reject');
  }

  /** Stops every unfinished task of a template: waiting ones first (newest first, so none gets admitted), then the rest. */
  async stopAllOfTemplate(templateId: number): Promise<void> {
    const tasks = await this.repo.unfinishedTasksOfTemplate(templateId);
    const waiting = tasks.filter((t) => t.status === TaskStatus.Waiting).reverse();
    const others = tasks.filter((t) => t.status !== TaskStatus.Waiting);
    for (const task of [...waiting, ...others]) {
      try {
        await this.stop(task, false);
      } catch (error) {
        // Finished meanwhile: nothing to stop.
        if (!(await this.reload(task).then((t) => isFinishedStatus(t.status)))) throw error;
      }
    }
  }

  private async decide(task: TaskEntity, to: TaskStatus.Confirmed | TaskStatus.Rejected, flag: 'confirm' | 'reject') {
    await this.redis.require();
    let current = task;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (current.status !== TaskStatus.WaitingConfirmation) {
        throw badRequest(`Task ${current.id} is not waiting for confirmation (status ${current.status})`);
      }
      if (await this.applyStatus(current, to)) {
        await this.signal(current.id, flag, { type: flag, taskId: current.id });
        return;
      }
      current = await this.reload(current);
    }
    throw badRequest(`Task ${task.id} changed too often; try again`);
  }

  /**
   * Compare-and-set of the status under the guard; announces the change and runs the finish path on terminal
   * statuses. Null when the guard refuses or the row changed meanwhile.
   */
  private async applyStatus(task: TaskEntity, to: TaskStatus): Promise<TaskEntity | null> {
    if (!canTransition(task.status, to)) return null;
    const updated = await this.repo.compareAndSetStatus(task.id, task.status, {
      status: to,
      ...timesAfter(to, task, new Date()),
    });
    if (!updated) return null;
    await this.publisher
      .appendApiBatch(updated, [TaskStreamPublisher.updateEvent(updated)])
      .catch((error: unknown) => this.warn(updated, 'announce the status', error));
    if (isFinishedStatus(to)) await this.lifecycle.onTaskFinished(updated);
    return updated;
  }

  private async signal(taskId: number, flag: ControlFlag, message: RunnerControlMessage): Promise<void> {
    await this.publisher.control(taskId, flag, message);
  }

  private async reload(task: TaskEntity): Promise<TaskEntity> {
    const fresh = await this.repo.findTaskById(task.id);
    if (!fresh) throw notFound('Task');
    return fresh;
  }

  private warn(task: TaskEntity, what: string, error: unknown): void {
    this.logger.warn(`task ${task.id}: cannot ${what}: ${String(error)}`);
  }
}
