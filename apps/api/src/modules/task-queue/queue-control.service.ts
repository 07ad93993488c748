import { Injectable, Logger } from '@nestjs/common';
import { pauseEntry } from './queue-pause';
import { TaskAdmissionService } from './task-admission.service';
import { TaskDispatcher } from './task-dispatcher';
import { TaskQueueRepository } from './task-queue.repository';
import { TaskStateStore } from './task-state.store';

/**
 * The admission side of queue management: pausing and resuming a queue (or one project's tasks in it) in the
 * cluster-wide pause set, and what admission holds. Every replica's admission script and dispatcher read the set from
 * Redis, so a pause made through any replica applies everywhere and outlives restarts.
 */
@Injectable()
export class QueueControlService {
  private readonly logger = new Logger(QueueControlService.name);

  constructor(
    private readonly store: TaskStateStore,
    private readonly dispatcher: TaskDispatcher,
    private readonly admission: TaskAdmissionService,
    private readonly repo: TaskQueueRepository,
  ) {}

  /**
   * Pauses the queue of `tag` (null: `tasks`), or only `projectId`'s tasks in it. Tasks waiting for admission stay
   * there; admitted tasks whose job no runner has taken yet go back to the waiting list (in their FIFO place), and the
   * slots they free go to other queues at once. Returns the ids of the tasks taken back. Idempotent.
   */
  async pause(tag: string | null, projectId: number | null): Promise<number[]> {
    await this.store.pause(pauseEntry(tag, projectId));
    const { active } = await this.store.snapshot();
    const withdrawn: number[] = [];
    for (const task of await this.repo.waitingTasksOfQueue(active, tag, projectId)) {
      const target = { taskId: task.id, projectId: task.projectId, runnerTag: task.runnerTag };
      if (await this.dispatcher.withdraw(target)) withdrawn.push(task.id);
    }
    await this.admission.admitAndDispatch();
    if (withdrawn.length > 0) this.logger.log({ taskIds: withdrawn }, 'paused: tasks taken back from their queue');
    return withdrawn;
  }

  /** Removes that pause entry and admits what fits, in FIFO order. Other entries (queue-wide, other projects) stay. */
  async resume(tag: string | null, projectId: number | null): Promise<void> {
    await this.store.resume(pauseEntry(tag, projectId));
    await this.admission.admitAndDispatch();
  }

  /** The pause entries (queue-pause.ts). */
  pausedEntries(): Promise<string[]> {
    return this.store.pausedEntries();
  }

  /** Ids of the admitted tasks (released to a queue, claimed or running). */
  async admittedTaskIds(): Promise<Set<number>> {
    return new Set((await this.store.snapshot()).active);
  }
}
