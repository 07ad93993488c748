import { Injectable, Logger } from '@nestjs/common';
import { isFinishedStatus, TaskStatus, TemplateType } from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import { EventsService } from '../events/events.service';
import { TaskAdmissionService } from './task-admission.service';
import { TaskCreateService } from './task-create.service';
import { TaskQueueRepository } from './task-queue.repository';
import { hasSealedSecret } from './task-secret';
import { TaskStateStore } from './task-state.store';
import { TaskStatusObservers } from './task-status-observers';
import { TaskStreamPublisher } from './task-stream.publisher';

/**
 * What happens around a task's life in the cluster: admission into the queues when it is created, and the release
 * of its slot (plus build -> deploy autorun) when it ends. Owned by the task-queue module; the event persister and
 * the reconciler call `onTaskFinished` when they move a task to a terminal status.
 */
@Injectable()
export class TaskLifecycleService {
  private readonly logger = new Logger(TaskLifecycleService.name);

  constructor(
    private readonly repo: TaskQueueRepository,
    private readonly admission: TaskAdmissionService,
    private readonly store: TaskStateStore,
    private readonly creator: TaskCreateService,
    private readonly publisher: TaskStreamPublisher,
    private readonly events: EventsService,
    private readonly observers: TaskStatusObservers,
  ) {}

  /**
   * Called once a task row reached stopped, success, error or rejected (after the commit). Idempotent: the slot is
   * released and the next tasks admitted every time; the sealed survey secrets are deleted; the event
   * "Task ID N (<template>) finished - <STATUS>", build -> deploy autorun and the status observers (alerts) happen
   * once (a Redis mark decides).
   */
  async onTaskFinished(task: Pick<TaskEntity, 'id'>): Promise<void> {
    const found = await this.repo.findTaskWithTemplate(task.id);
    const current = found?.task ?? null;
    if (current && !isFinishedStatus(current.status)) {
      this.logger.warn(`onTaskFinished(${task.id}) ignored: the task is ${current.status}`);
      return;
    }
    await this.admission.releaseAndDispatch(task.id);
    if (!current) return;
    if (hasSealedSecret(current)) await this.repo.removeSecret(current.id);
    if (!(await this.store.markFinished(current.id))) return;
    const template = found?.template ?? null;
    await this.events.log({
      projectId: current.projectId,
      userId: current.userId,
      objectType: 'task',
      objectId: current.id,
      description: `Task ID ${current.id} (${template?.name ?? current.templateId}) finished - ${current.status.toUpperCase()}`,
    });
    if (current.status === TaskStatus.Success && template?.type === TemplateType.Build) {
      const deploys = await this.creator.createAutorunTasks(current);
      if (deploys.length > 0)
        this.logger.log(`build task ${current.id} started deploy tasks ${deploys.map((t) => t.id).join(', ')}`);
    }
    await this.observers.notify(current.id, current.status);
  }

  /** Called by the event persister after it committed `waiting_confirmation` (possibly again on a redelivery). */
  async onTaskWaitingConfirmation(taskId: number): Promise<void> {
    await this.observers.notify(taskId, TaskStatus.WaitingConfirmation);
  }

  /**
   * Re-offers a claimed-but-never-started task to the queues (its runner vanished before starting it): `starting`
   * goes back to `waiting` (runner and claim time cleared; the claim generation stays, so the old claim is fenced),
   * the task is registered again in its FIFO place and admitted when it fits.
   */
  async requeue(task: TaskEntity): Promise<void> {
    let current = await this.repo.findTaskById(task.id);
    if (current?.status === TaskStatus.Starting) {
      current = await this.repo.compareAndSetStatus(current.id, TaskStatus.Starting, {
        status: TaskStatus.Waiting,
        start: null,
        end: null,
        runnerId: null,
        claimedAt: null,
      });
      if (current) await this.announce(current);
    }
    if (current?.status !== TaskStatus.Waiting) {
      this.logger.warn(`requeue(${task.id}) ignored: the task is ${current?.status ?? 'gone'}`);
      return;
    }
    const [admission] = await this.repo.tasksForAdmission({ ids: [current.id] });
    await this.admission.release(current.id);
    await this.admission.clearOldJob(current);
    await this.admission.registerAndDispatch(
      current,
      admission?.allowParallel ?? false,
      admission?.projectMaxParallel ?? 0,
    );
  }

  private async announce(task: TaskEntity): Promise<void> {
    try {
      await this.publisher.appendApiBatch(task, [TaskStreamPublisher.updateEvent(task)]);
    } catch (error) {
      this.logger.error(`cannot announce the status of task ${task.id}: ${String(error)}`);
    }
  }
}
