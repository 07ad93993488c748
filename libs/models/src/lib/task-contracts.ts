/**
 * Contracts between the api and the runners for task execution: queue names, job data, the task event stream,
 * the control channel and heartbeats. Both sides import these; neither invents its own names.
 * Every Redis key starts with the configured prefix (`redisKey(prefix, ...)`).
 */
import type { TaskStatus } from './task-status';

/** BullMQ prefix: `<prefix>:bull`. */
export function bullPrefix(redisPrefix: string): string {
  return `${redisPrefix}:bull`;
}

/** Runner tags: lower-case letters, digits, `_` and `-`. */
export const RUNNER_TAG_PATTERN = /^[a-z0-9_-]{1,64}$/;

/** The BullMQ queue of a runner tag; untagged tasks go to `tasks`. */
export function taskQueueName(tag: string | null | undefined): string {
  if (!tag) return 'tasks';
  if (!RUNNER_TAG_PATTERN.test(tag)) throw new Error(`invalid runner tag ${tag}`);
  return `tasks-${tag}`;
}

/** BullMQ job data: ids only, never a secret. The job id is `task-<taskId>` (adding it twice is a no-op). */
export interface TaskJobData {
  taskId: number;
  projectId: number;
}

export function taskJobId(taskId: number): string {
  return `task-${taskId}`;
}

/**
 * One event of a task. Runners report `log`, `status`, `commit` and `progress`; the api reports `update` (the task's
 * status fields after it changed them in PostgreSQL) so that every replica's WebSocket clients hear about it.
 */
export type TaskEvent =
  | { type: 'log'; seq: number; time: string; output: string }
  | { type: 'update'; status: TaskStatus; start: string | null; end: string | null; version: string | null }
  | { type: 'status'; status: TaskStatus; time: string; errorCode?: string }
  | { type: 'commit'; hash: string; message: string }
  | {
      type: 'progress';
      time: string;
      bytesDone?: number;
      bytesTotal?: number;
      filesDone?: number;
      filesTotal?: number;
      /** Bytes per second, smoothed. */
      rate?: number;
      /** Seconds left at the current rate. */
      eta?: number;
      /** True while the transfer is paused (`POST .../pause`). */
      paused?: boolean;
    };

/**
 * An entry of the task event stream: a small batch of events of one task, in order.
 * `source: 'runner'` batches are checked against the task's claim (runnerId and generation) and persisted by the
 * persist group; `source: 'api'` batches were already persisted by the api and are only relayed to WebSockets.
 */
export interface TaskEventBatch {
  source: 'runner' | 'api';
  taskId: number;
  projectId: number;
  templateId: number;
  /** 0 for api batches. */
  runnerId: number;
  /** The claim generation (fencing token); 0 for api batches. */
  gen: number;
  events: TaskEvent[];
}

/** The Redis Stream of task event batches (field `b` holds the JSON of a TaskEventBatch). */
export const TASK_EVENTS_STREAM = 'task-events';
export const TASK_EVENTS_FIELD = 'b';
/** The consumer group that persists events to PostgreSQL (one per cluster). */
export const TASK_EVENTS_PERSIST_GROUP = 'persist';

/** Pub/sub channel of control messages to runners (stop, confirm, reject, pause, resume). */
export const RUNNER_CONTROL_CHANNEL = 'runner-control';

export type RunnerControlMessage =
  | { type: 'stop'; taskId: number; force: boolean }
  | { type: 'confirm'; taskId: number }
  | { type: 'reject'; taskId: number }
  | { type: 'pause'; taskId: number }
  | { type: 'resume'; taskId: number };

/**
 * Durable pause flag of a running transfer, `task-paused:<taskId>` = `1` while paused (checked on every heartbeat
 * like the control key, so a missed pub/sub message only delays the pause or the resume).
 */
export function taskPausedKey(taskId: number): string[] {
  return ['task-paused', String(taskId)];
}

/**
 * Durable control flags a runner also checks on every heartbeat, so a missed pub/sub message is only late:
 * key `task-control:<taskId>` holds `stop`, `force-stop`, `confirm` or `reject`.
 */
export function taskControlKey(taskId: number): string[] {
  return ['task-control', String(taskId)];
}

/** A runner's liveness key `runner-alive:<runnerId>`, refreshed every heartbeat with a TTL. */
export function runnerAliveKey(runnerId: number): string[] {
  return ['runner-alive', String(runnerId)];
}

export interface RunnerHeartbeat {
  runnerId: number;
  instanceId: string;
  version: string;
  tags: string[];
  maxParallelTasks: number;
  runningTaskIds: number[];
  time: string;
}

/** Internal runner API (runner -> api over HTTP, header `X-Runner-Token`). */
export const RUNNER_TOKEN_HEADER = 'x-runner-token';

/**
 * "Run on a new commit" schedules: the api puts one job per fire time (job id `commit-<scheduleId>-<fireTime>`) in
 * this queue; any runner looks the branch up with git and reports the hash back. Job data: ids only.
 */
export const COMMIT_CHECKS_QUEUE = 'commit-checks';

export interface CommitCheckJobData {
  scheduleId: number;
  /** The intended fire time, epoch milliseconds. */
  fireTime: number;
}

export function commitCheckJobId(scheduleId: number, fireTime: number): string {
  return `commit-${scheduleId}-${fireTime}`;
}
