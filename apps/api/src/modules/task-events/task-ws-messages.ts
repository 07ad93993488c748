import type { TaskEvent, TaskEventBatch, TaskStatus, WireTaskProgress } from '@semaphore/models';
import { toWireTime } from '../../wire';
import { progressOf } from './task-event-apply';
import { parseEventTime } from './task-event-batch';

/** A runner time in the form the REST API gives it (`GET .../output`), so both views of a line are identical. */
function wireTime(time: string): string {
  const date = parseEventTime(time);
  return date ? toWireTime(date) : time;
}

/**
 * WebSocket messages (reference §5.1), one JSON object per text frame. Field names are upstream's; key order is
 * type first, then as upstream documents them. Additions that upstream clients ignore:
 * - `log.seq`: the line's sequence number. A client that reconnects re-fetches
 *   `GET /api/project/{p}/tasks/{id}/output?after_seq=<last seq seen>` and continues without gap or duplicate.
 * - `progress`: a third message type (upstream clients drop unknown types).
 */
export interface WsLogMessage {
  type: 'log';
  project_id: number;
  task_id: number;
  time: string;
  output: string;
  seq: number;
}

export interface WsUpdateMessage {
  type: 'update';
  project_id: number;
  task_id: number;
  template_id: number;
  status: TaskStatus;
  start: string | null;
  end: string | null;
  version: string | null;
}

export interface WsProgressMessage extends WireTaskProgress {
  type: 'progress';
  project_id: number;
  task_id: number;
}

export type WsTaskMessage = WsLogMessage | WsUpdateMessage | WsProgressMessage;

/**
 * The messages of one batch: `log` lines (runner lines, or lines the api stored itself), runner `progress`, and api
 * `update`s. A runner's status/commit events reach clients as the `update` the persister announces once stored.
 * `projectId`/`templateId` are the task's own (from the database for runner batches).
 */
export function wsMessagesOf(batch: TaskEventBatch, projectId: number, templateId: number): WsTaskMessage[] {
  const out: WsTaskMessage[] = [];
  const task_id = batch.taskId;
  for (const e of batch.events) {
    const message = messageOf(e, batch.source, projectId, task_id, templateId);
    if (message) out.push(message);
  }
  return out;
}

function messageOf(
  e: TaskEvent,
  source: TaskEventBatch['source'],
  project_id: number,
  task_id: number,
  template_id: number,
): WsTaskMessage | null {
  if (e.type === 'log') {
    return { type: 'log', project_id, task_id, time: wireTime(e.time), output: e.output, seq: e.seq };
  }
  if (source === 'runner' && e.type === 'progress') {
    const { time: _stored, ...progress } = progressOf(e, new Date());
    return { type: 'progress', project_id, task_id, time: wireTime(e.time), ...progress };
  }
  if (source === 'api' && e.type === 'update') {
    return {
      type: 'update',
      project_id,
      task_id,
      template_id,
      status: e.status,
      start: e.start,
      end: e.end,
      version: e.version,
    };
  }
  return null;
}
