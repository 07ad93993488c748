import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  TASK_EVENTS_PERSIST_GROUP,
  RECONCILER_ACTIONS_KEY,
  TaskStatus,
  redisKey,
  runnerAliveKey,
  type ReconcilerAction,
  type RunnerHeartbeat,
} from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import { toWireTime } from '../../wire';
import { notifyFinished, type TaskFinishedListener } from './task-event-persister';
import { updateBatch, type TaskEventPublisher } from './task-event-publisher';
import type { ClaimedTask, TaskEventsRepository } from './task-events.repository';
import { StoppableLoop } from './stoppable-loop';
import { caughtUpTo, groupProgress, newestEntryId } from './stream-group-maintenance';
import { taskEventsStreamKey } from './task-event-batch';

export interface TaskRequeuer extends TaskFinishedListener {
  requeue(task: TaskEntity): Promise<void>;
}

export interface ReconcilerOptions {
  prefix: string;
  nodeId: string;
  /** config.tasks.runnerLostAfterMs */
  lostAfterMs: number;
  everyMs?: number;
}

/** Statuses in which a runner holds the task (its process runs, or waits for a confirmation). */
const HELD_BY_RUNNER = [
  TaskStatus.Starting,
  TaskStatus.Running,
  TaskStatus.WaitingConfirmation,
  TaskStatus.Confirmed,
  TaskStatus.Stopping,
];
const MAX_TASKS_PER_ROUND = 500;
/** How many of the newest reconciler actions `GET /api/cluster` shows. */
export const RECONCILER_ACTIONS_KEPT = 100;

/** What a runner's live heartbeat says: the tasks it runs (null: unknown) and when it was written (null: unknown). */
interface Beat {
  tasks: Set<number> | null;
  time: number | null;
}

function parseBeat(heartbeat: string): Beat {
  try {
    const beat = JSON.parse(heartbeat) as Partial<RunnerHeartbeat>;
    const time = typeof beat.time === 'string' ? Date.parse(beat.time) : NaN;
    return {
      tasks: Array.isArray(beat.runningTaskIds) ? new Set(beat.runningTaskIds.filter(Number.isSafeInteger)) : null,
      time: Number.isNaN(time) ? null : time,
    };
  } catch {
    return { tasks: null, time: null };
  }
}

/** How much later than the claim a heartbeat must be written to speak for it (covers that much clock skew). */
const BEAT_AFTER_CLAIM_MS = 5_000;

/**
 * Whether the runner holds the task: `lost` (no heartbeat), `forgotten` (a heartbeat written well after the claim does
 * not list the task: the runner restarted, or took the job and dropped it), or `held`. A runner lists a task from
 * before it claims it, so every heartbeat written after the claim lists a task it still holds.
 */
export function holding(
  task: Pick<ClaimedTask, 'id' | 'claimedAt'>,
  beat: Beat | undefined,
): 'lost' | 'forgotten' | 'held' {
  if (!beat) return 'lost';
  if (beat.tasks === null || beat.tasks.has(task.id)) return 'held';
  return beat.time !== null && beat.time > task.claimedAt.getTime() + BEAT_AFTER_CLAIM_MS ? 'forgotten' : 'held';
}

export interface ReconcileResult {
  failed: number[];
  requeued: number[];
}

/**
 * Fails tasks whose runner vanished and re-offers tasks that were claimed but never started. Safe on every replica:
 * a round runs only on the replica that takes a short Redis lock. Runs once at start-up, then every `everyMs`.
 * Both only once the persist group has caught up with the stream (see eventsPersisted), for tasks claimed more than
 * `lostAfterMs` ago whose runner does not hold them (see `holding`: its alive key expired, or it restarted):
 * - still `starting` (claimed, never started: nothing ran) -> TaskLifecycleService.requeue, so it runs once elsewhere
 *   (a late report of the old claim is fenced off by the claim generation);
 * - running, waiting_confirmation, confirmed or stopping -> `error`, error_code RUNNER_LOST, `end` now, and the output
 *   line "Runner <name> was lost: ..." saying why; announced and reported to the TaskLifecycleService.
 */
export class RunnerReconciler {
  private readonly logger = new Logger(RunnerReconciler.name);
  private readonly loop: StoppableLoop;
  private readonly everyMs: number;
  /** Abandoned tasks not acted on yet, with the stream's newest id when they were first seen abandoned. */
  private abandonedSince = new Map<number, string>();

  constructor(
    private readonly redis: Redis,
    private readonly repo: TaskEventsRepository,
    private readonly publisher: TaskEventPublisher,
    private readonly lifecycle: TaskRequeuer,
    private readonly options: ReconcilerOptions,
  ) {
    this.everyMs = options.everyMs ?? 5_000;
    this.loop = new StoppableLoop('runner reconciler', this.logger, 30_000);
  }

  start(): void {
    this.loop.run(async () => {
      await this.reconcile();
      await this.loop.sleep(this.everyMs);
    });
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round, if this replica gets the lock (null otherwise). */
  async reconcile(now = new Date()): Promise<ReconcileResult | null> {
    const lock = redisKey(this.options.prefix, 'task-events', 'reconciler-lock');
    const ttl = Math.max(1_000, this.everyMs - 500);
    if ((await this.redis.set(lock, this.options.nodeId, 'PX', ttl, 'NX')) !== 'OK') return null;
    const tasks = await this.repo.claimedTasks(
      HELD_BY_RUNNER,
      new Date(now.getTime() - this.options.lostAfterMs),
      MAX_TASKS_PER_ROUND,
    );
    const beats = await this.heartbeats(tasks);
    const result: ReconcileResult = { failed: [], requeued: [] };
    const abandoned = tasks.flatMap((task) => {
      const state = holding(task, beats.get(task.runnerId));
      return state === 'held' ? [] : [{ task, state }];
    });
    const ready = await this.eventsPersisted(abandoned.map((a) => a.task.id));
    for (const { task, state } of abandoned) {
      if (!ready.has(task.id)) continue;
      if (task.status === TaskStatus.Starting) {
        if (await this.requeue(task)) result.requeued.push(task.id);
      } else if (await this.failLost(task, state, now)) {
        result.failed.push(task.id);
      }
    }
    await this.record(tasks, result, now);
    return result;
  }

  /** Keeps what this round did in the capped journal shown by `GET /api/cluster` (best effort). */
  private async record(tasks: ClaimedTask[], result: ReconcileResult, now: Date): Promise<void> {
    const runnerOf = new Map(tasks.map((t) => [t.id, t.runnerId]));
    const action = (kind: ReconcilerAction['action'], taskId: number): string =>
      JSON.stringify({
        time: now.toISOString(),
        nodeId: this.options.nodeId,
        action: kind,
        taskId,
        runnerId: runnerOf.get(taskId) ?? 0,
      } satisfies ReconcilerAction);
    const entries = [
      ...result.failed.map((id) => action('failed-runner-lost', id)),
      ...result.requeued.map((id) => action('requeued', id)),
    ];
    if (entries.length === 0) return;
    const key = redisKey(this.options.prefix, ...RECONCILER_ACTIONS_KEY);
    try {
      await this.redis
        .multi()
        .lpush(key, ...entries)
        .ltrim(key, 0, RECONCILER_ACTIONS_KEPT - 1)
        .exec();
    } catch (err) {
      this.logger.warn(`cannot record reconciler actions: ${String(err)}`);
    }
  }

  /**
   * The abandoned tasks whose runner's events are all persisted: a task that finished (or started) on its runner may
   * not be in the database yet. A runner writes its last batch before its alive key goes, and the stream's newest id
   * is read after the alive keys, so every entry of a runner seen gone is at or before the newest id of that round.
   * Each task keeps the newest id of the round that first saw it abandoned; it is acted on once the persist group has
   * caught up with that id (under steady traffic the group never catches up with the very newest entry).
   */
  private async eventsPersisted(taskIds: number[]): Promise<Set<number>> {
    const marks = new Map(taskIds.map((id) => [id, this.abandonedSince.get(id)]));
    this.abandonedSince = new Map();
    if (taskIds.length === 0) return new Set();
    const key = taskEventsStreamKey(this.options.prefix);
    const newest = await newestEntryId(this.redis, key);
    if (newest === '0-0') return new Set(taskIds);
    const progress = await groupProgress({ redis: this.redis, key, group: TASK_EVENTS_PERSIST_GROUP });
    const ready = new Set<number>();
    for (const [id, mark] of marks) {
      const since = mark ?? newest;
      if (caughtUpTo(progress, since)) ready.add(id);
      else this.abandonedSince.set(id, since);
    }
    if (ready.size < taskIds.length) {
      this.logger.log('task events are still being persisted: some lost runners are checked next round');
    }
    return ready;
  }

  /**
   * The alive runners among the tasks' runners, with the task ids their heartbeat lists (null when the heartbeat
   * does not parse: alive, running unknown).
   */
  private async heartbeats(tasks: ClaimedTask[]): Promise<Map<number, Beat>> {
    const ids = [...new Set(tasks.map((t) => t.runnerId))];
    const beats = new Map<number, Beat>();
    if (ids.length === 0) return beats;
    const values = await this.redis.mget(ids.map((id) => redisKey(this.options.prefix, ...runnerAliveKey(id))));
    values.forEach((value, i) => {
      if (value !== null) beats.set(ids[i], parseBeat(value));
    });
    return beats;
  }

  private async failLost(task: ClaimedTask, state: 'lost' | 'forgotten', now: Date): Promise<boolean> {
    const since = Math.max(task.claimedAt.getTime(), task.runnerLastSeen?.getTime() ?? 0);
    const seconds = Math.max(0, Math.round((now.getTime() - since) / 1000));
    const name = task.runnerName || task.runnerId;
    const line =
      state === 'lost'
        ? `Runner ${name} was lost: no heartbeat for ${seconds} s`
        : `Runner ${name} was lost: it restarted and no longer runs this task`;
    const row = await this.repo.failLostTask(task, HELD_BY_RUNNER, line, now);
    if (!row) return false;
    this.logger.warn(`task ${row.id} failed: ${line}`);
    const batch = updateBatch(row);
    batch.events.unshift({ type: 'log', seq: row.lastSeq, time: toWireTime(now), output: line });
    await this.publisher.publish(batch).catch((err: unknown) => {
      this.logger.error(`cannot announce the status of task ${row.id}: ${String(err)}`);
    });
    await notifyFinished(this.lifecycle, row, this.logger);
    return true;
  }

  private async requeue(task: ClaimedTask): Promise<boolean> {
    const [entity] = await this.repo.findTasks([task.id]);
    if (!entity || entity.status !== TaskStatus.Starting) return false;
    try {
      await this.lifecycle.requeue(entity);
      this.logger.warn(`task ${task.id} was claimed by runner ${task.runnerId} but never started: requeued`);
      return true;
    } catch (err) {
      this.logger.error(`TaskLifecycleService.requeue(${task.id}) failed: ${String(err)}`);
      return false;
    }
  }
}
