import { Queue } from 'bullmq';
import type Redis from 'ioredis';
import {
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  bullPrefix,
  redisKey,
  taskJobId,
  taskQueueName,
  type TaskEvent,
  type TaskEventBatch,
  type TaskJobData,
} from '@semaphore/models';

/** Adds the BullMQ job of a task, as the task-queue module does (ids only, job id `task-<id>`). */
export async function enqueueTask(
  redis: Redis,
  prefix: string,
  data: TaskJobData,
  tag: string | null = null,
): Promise<void> {
  const connection = redis.duplicate();
  const queue = new Queue<TaskJobData>(taskQueueName(tag), { connection, prefix: bullPrefix(prefix) });
  try {
    await queue.add('task', data, { jobId: taskJobId(data.taskId) });
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * Reads the task event stream as it grows (XREAD BLOCK on its own connection) and resolves waiters when the batches
 * seen so far satisfy them: no sleeping, no polling of the database.
 */
export class StreamWatcher {
  readonly batches: TaskEventBatch[] = [];
  private readonly reader: Redis;
  private readonly waiters = new Set<() => void>();
  private lastId = '0-0';
  private closed = false;
  private readonly loop: Promise<void>;

  constructor(redis: Redis, prefix: string) {
    const reader = redis.duplicate();
    this.reader = reader;
    const key = redisKey(prefix, TASK_EVENTS_STREAM);
    this.loop = (async () => {
      while (!this.closed) {
        const res = (await reader.xread('BLOCK', 500, 'STREAMS', key, this.lastId).catch(() => null)) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const i = fields.indexOf(TASK_EVENTS_FIELD);
            if (i >= 0) this.batches.push(JSON.parse(fields[i + 1]) as TaskEventBatch);
          }
        }
        for (const w of [...this.waiters]) w();
      }
    })();
  }

  /** The runner batches of a task, in stream order. */
  runnerBatches(taskId: number): TaskEventBatch[] {
    return this.batches.filter((b) => b.taskId === taskId && b.source === 'runner');
  }

  events(taskId: number): TaskEvent[] {
    return this.runnerBatches(taskId).flatMap((b) => b.events);
  }

  /** Resolves with the first terminal status event of the task. */
  finalStatus(taskId: number, timeoutMs = 30_000) {
    return this.waitFor(
      () => this.events(taskId).find((e) => e.type === 'status' && ['success', 'error', 'stopped'].includes(e.status)),
      timeoutMs,
      `final status of task ${taskId}`,
    );
  }

  waitFor<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const check = () => {
        const found = probe();
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    this.reader.disconnect();
  }
}
