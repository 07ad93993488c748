import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import {
  RUNNER_CONTROL_CHANNEL,
  type RunnerControlMessage,
  TASK_EVENTS_FIELD,
  TASK_EVENTS_STREAM,
  type TaskEvent,
  type TaskEventBatch,
  redisKey,
  taskControlKey,
  taskPausedKey,
} from '@semaphore/models';
import type { TaskEntity } from '@semaphore/persistence';
import { ApiConfig } from '../../config';
import { REDIS } from '../../redis/redis.module';
import { toWireTime } from '../../wire';

/** Control flags outlive any task run they could concern, then expire. */
const CONTROL_KEY_TTL_SEC = 7 * 24 * 3600;

export type ControlFlag = 'stop' | 'force-stop' | 'confirm' | 'reject';

/**
 * What the api says about tasks through Redis: `api` batches on the task event stream (every replica relays them to
 * its WebSocket clients) and control messages to runners (pub/sub plus the durable flag they check on heartbeats).
 * Nothing here carries a secret.
 */
@Injectable()
export class TaskStreamPublisher {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: ApiConfig,
  ) {}

  /** The `update` event of a task's current status fields. */
  static updateEvent(task: TaskEntity): TaskEvent {
    return {
      type: 'update',
      status: task.status,
      start: toWireTime(task.start),
      end: toWireTime(task.end),
      version: task.version,
    };
  }

  /** Appends an `api` batch (already persisted) for the task. */
  async appendApiBatch(task: TaskEntity, events: TaskEvent[]): Promise<void> {
    const batch: TaskEventBatch = {
      source: 'api',
      taskId: task.id,
      projectId: task.projectId,
      templateId: task.templateId,
      runnerId: 0,
      gen: 0,
      events,
    };
    await this.redis.xadd(
      redisKey(this.config.redis.prefix, TASK_EVENTS_STREAM),
      // No MAXLEN here: it could trim runner entries not yet persisted; the persister trims behind its group.
      '*',
      TASK_EVENTS_FIELD,
      JSON.stringify(batch),
    );
  }

  /** Sets the durable control flag first (a runner that misses the message still sees it), then publishes. */
  async control(taskId: number, flag: ControlFlag, message: RunnerControlMessage): Promise<void> {
    await this.redis.set(
      redisKey(this.config.redis.prefix, ...taskControlKey(taskId)),
      flag,
      'EX',
      CONTROL_KEY_TTL_SEC,
    );
    await this.redis.publish(redisKey(this.config.redis.prefix, RUNNER_CONTROL_CHANNEL), JSON.stringify(message));
  }

  /** Sets or clears the durable pause flag (heartbeats re-read it), then tells the runner at once. */
  async pause(taskId: number, paused: boolean): Promise<void> {
    const key = redisKey(this.config.redis.prefix, ...taskPausedKey(taskId));
    if (paused) await this.redis.set(key, '1', 'EX', CONTROL_KEY_TTL_SEC);
    else await this.redis.del(key);
    const message: RunnerControlMessage = { type: paused ? 'pause' : 'resume', taskId };
    await this.redis.publish(redisKey(this.config.redis.prefix, RUNNER_CONTROL_CHANNEL), JSON.stringify(message));
  }
}
