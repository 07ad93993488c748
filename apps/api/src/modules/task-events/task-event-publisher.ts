import type Redis from 'ioredis';
import { TASK_EVENTS_FIELD, type TaskEventBatch } from '@semaphore/models';
import { toWireTime } from '../../wire';
import type { TaskRow } from './task-event-apply';
import { taskEventsStreamKey } from './task-event-batch';

export type TaskUpdateFields = Pick<
  TaskRow,
  'id' | 'projectId' | 'templateId' | 'status' | 'start' | 'end' | 'version'
>;

/** The `api` batch announcing a task's current status fields (relayed as a WebSocket `update`). */
export function updateBatch(task: TaskUpdateFields): TaskEventBatch {
  return {
    source: 'api',
    taskId: task.id,
    projectId: task.projectId,
    templateId: task.templateId,
    runnerId: 0,
    gen: 0,
    events: [
      {
        type: 'update',
        status: task.status,
        start: toWireTime(task.start),
        end: toWireTime(task.end),
        version: task.version,
      },
    ],
  };
}

/**
 * Appends `api` batches to the task event stream. The stream is never trimmed here: the persister trims it behind
 * the consumer group (a MAXLEN on XADD could drop runner entries that are not persisted yet).
 */
export class TaskEventPublisher {
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.key = taskEventsStreamKey(prefix);
  }

  async publishUpdate(task: TaskUpdateFields): Promise<void> {
    await this.publish(updateBatch(task));
  }

  /** Appends an `api` batch (events the api has stored already: `update`, and `log` lines it wrote itself). */
  async publish(batch: TaskEventBatch): Promise<void> {
    await this.redis.xadd(this.key, '*', TASK_EVENTS_FIELD, JSON.stringify(batch));
  }
}
