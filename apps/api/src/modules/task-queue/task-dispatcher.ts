import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix, type TaskJobData, taskJobId, taskQueueName } from '@semaphore/models';
import { isHeld } from './queue-pause';

/** A task to put on its runner tag's BullMQ queue. */
export interface TaskJobTarget {
  taskId: number;
  projectId: number;
  runnerTag: string | null;
}

/** Completed and failed jobs are kept a little (for inspection), bounded in number and age. */
const REMOVE_ON_COMPLETE = { count: 1000, age: 3600 };
const REMOVE_ON_FAIL = { count: 5000, age: 24 * 3600 };
const JOB_NAME = 'task';

/** Job states in which the job will still be (or is being) processed. */
const LIVE_STATES = new Set(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']);
/** Job states in which no worker holds the job yet. */
const UNTAKEN_STATES = new Set(['waiting', 'delayed', 'prioritized']);

/**
 * The pause state the dispatcher honours (the TaskStateStore): the entries, and the atomic "put it back in the
 * waiting list if its queue is paused" of an admitted task.
 */
export interface QueuePauseState {
  pausedEntries(): Promise<string[]>;
  holdBackIfPaused(taskId: number): Promise<boolean>;
}

/**
 * Releases admitted tasks to the BullMQ queue of their runner tag (`tasks` / `tasks-<tag>`), one job per task with
 * the id `task-<taskId>` and ids-only data. Adding a job whose id exists is a no-op, so a retry or a second replica
 * never duplicates a job. Queues share the api's (non-blocking) Redis connection: producers do not block.
 *
 * Paused queues: admission already passes over their waiting tasks; a task admitted just before its queue was paused
 * is put back in the waiting list instead of getting a job (`pauses`, checked atomically in Redis), and `withdraw`
 * takes back the jobs no runner has taken yet. Without `pauses` (tests of the dispatcher alone) nothing is held back.
 */
export class TaskDispatcher {
  private readonly queues = new Map<string, Queue<TaskJobData>>();
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly onError: (error: Error) => void = () => undefined,
    private readonly pauses: QueuePauseState | null = null,
  ) {
    this.prefix = bullPrefix(redisPrefix);
  }

  /** Adds the jobs of freshly admitted tasks (except those of queues paused meanwhile, which go back to waiting). */
  async add(targets: TaskJobTarget[]): Promise<void> {
    const released = await this.withoutHeldBack(targets);
    await Promise.all(
      released.map((t) =>
        this.queue(t.runnerTag).add(JOB_NAME, { taskId: t.taskId, projectId: t.projectId }, this.jobOptions(t.taskId)),
      ),
    );
  }

  /**
   * Makes sure an admitted, unclaimed task has a live job: adds it when missing, replaces a completed or failed one
   * (left over from an earlier claim of a re-queued task). An active job is left alone: its worker holds it, or
   * BullMQ's stalled-job check hands it to another worker. Returns whether a job was added.
   */
  async ensureJob(target: TaskJobTarget): Promise<boolean> {
    const queue = this.queue(target.runnerTag);
    const jobId = taskJobId(target.taskId);
    const state = await queue.getJobState(jobId);
    if (LIVE_STATES.has(state)) return false;
    if (state !== 'unknown') await queue.remove(jobId);
    if ((await this.withoutHeldBack([target])).length === 0) return false;
    await queue.add(JOB_NAME, { taskId: target.taskId, projectId: target.projectId }, this.jobOptions(target.taskId));
    return true;
  }

  /**
   * Pause: takes back the job of an admitted task that no worker has taken yet, and puts the task back in the waiting
   * list. True when it went back; false when a runner already holds the job (the task runs) or there was none. If the
   * queue was resumed meanwhile, the job is added again.
   */
  async withdraw(target: TaskJobTarget): Promise<boolean> {
    const queue = this.queue(target.runnerTag);
    const jobId = taskJobId(target.taskId);
    if (!UNTAKEN_STATES.has(await queue.getJobState(jobId))) return false;
    // BullMQ refuses (0) to remove a job a worker holds the lock of.
    if ((await queue.remove(jobId)) !== 1) return false;
    return !(await this.ensureJob(target));
  }

  /** Removes a completed or failed job of the task (before it is offered again), so that the next add is not a no-op. */
  async removeFinishedJob(taskId: number, runnerTag: string | null): Promise<void> {
    const queue = this.queue(runnerTag);
    const state = await queue.getJobState(taskJobId(taskId));
    if (state === 'completed' || state === 'failed') await queue.remove(taskJobId(taskId));
  }

  /** Removes the job of a task that will not run (stopped while waiting). A job a worker holds is left alone. */
  async remove(taskId: number, runnerTag: string | null): Promise<void> {
    await this.queue(runnerTag).remove(taskJobId(taskId));
  }

  /** The queue of a runner tag (created once per tag). */
  queue(runnerTag: string | null): Queue<TaskJobData> {
    const name = taskQueueName(runnerTag);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue<TaskJobData>(name, { connection: this.redis, prefix: this.prefix });
      // An unhandled 'error' event would crash the process; failed calls still reject to their callers.
      queue.on('error', (error) => this.onError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    const queues = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(queues.map((q) => q.close()));
  }

  /** The targets whose queue is not paused; the others are put back in the waiting list (atomically, in Redis). */
  private async withoutHeldBack(targets: TaskJobTarget[]): Promise<TaskJobTarget[]> {
    if (!this.pauses || targets.length === 0) return targets;
    const entries = new Set(await this.pauses.pausedEntries());
    if (entries.size === 0) return targets;
    const released: TaskJobTarget[] = [];
    for (const target of targets) {
      const held =
        isHeld(entries, target.runnerTag, target.projectId) && (await this.pauses.holdBackIfPaused(target.taskId));
      if (!held) released.push(target);
    }
    return released;
  }

  private jobOptions(taskId: number) {
    return { jobId: taskJobId(taskId), removeOnComplete: REMOVE_ON_COMPLETE, removeOnFail: REMOVE_ON_FAIL };
  }
}
