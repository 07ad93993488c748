import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { bullPrefix, type TaskJobData, taskJobId, taskQueueName } from '@semaphore/models';

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

/**
 * Releases admitted tasks to the BullMQ queue of their runner tag (`tasks` / `tasks-<tag>`), one job per task with
 * the id `task-<taskId>` and ids-only data. Adding a job whose id exists is a no-op, so a retry or a second replica
 * never duplicates a job. Queues share the api's (non-blocking) Redis connection: producers do not block.
 */
export class TaskDispatcher {
  private readonly queues = new Map<string, Queue<TaskJobData>>();
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    this.prefix = bullPrefix(redisPrefix);
  }

  /** Adds the jobs of freshly admitted tasks. */
  async add(targets: TaskJobTarget[]): Promise<void> {
    await Promise.all(
      targets.map((t) =>
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
    await queue.add(JOB_NAME, { taskId: target.taskId, projectId: target.projectId }, this.jobOptions(target.taskId));
    return true;
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

  private jobOptions(taskId: number) {
    return { jobId: taskJobId(taskId), removeOnComplete: REMOVE_ON_COMPLETE, removeOnFail: REMOVE_ON_FAIL };
  }
}
