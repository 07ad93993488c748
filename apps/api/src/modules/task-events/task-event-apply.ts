import { TaskStatus, isFinishedStatus, type TaskEvent, type TaskEventBatch } from '@semaphore/models';
import type { TaskProgress } from '@semaphore/persistence';
import { parseEventTime } from './task-event-batch';
import { acceptsTransition } from './task-status-guard';

/** The columns of a task row that the event path reads and writes. */
export interface TaskRow {
  id: number;
  projectId: number;
  templateId: number;
  status: TaskStatus;
  runnerId: number | null;
  claimGeneration: number;
  lastSeq: number;
  start: Date | null;
  end: Date | null;
  version: string | null;
  errorCode: string | null;
  commitHash: string | null;
  commitMessage: string;
  /** The latest transfer progress (sftp tasks). */
  progress: TaskProgress | null;
}

export interface OutputLine {
  taskId: number;
  seq: number;
  time: Date;
  output: string;
}

/** What the events of one read change for one task. */
export interface TaskChangeSet {
  /** The row as it will be after the update. */
  row: TaskRow;
  lines: OutputLine[];
  /** The status changed (at least once) in this read. */
  statusChanged: boolean;
  /** Anything besides the log lines changed (status, times, commit, error code). */
  fieldsChanged: boolean;
  /** Highest seq among `lines` (0 if none). */
  maxSeq: number;
}

/** Why a runner batch may not touch the task (fencing), or null when it may. */
export function fencingViolation(row: TaskRow | undefined, batch: TaskEventBatch): string | null {
  if (!row) return 'unknown task';
  if (row.runnerId !== batch.runnerId || row.claimGeneration !== batch.gen) {
    return `stale claim (task has runner ${row.runnerId ?? 'none'} gen ${row.claimGeneration}, batch has runner ${
      batch.runnerId
    } gen ${batch.gen})`;
  }
  return null;
}

export function newChangeSet(row: TaskRow): TaskChangeSet {
  return { row: { ...row }, lines: [], statusChanged: false, fieldsChanged: false, maxSeq: 0 };
}

/**
 * Applies the events of one (already fenced) runner batch, in order: log lines are collected, status changes pass the
 * transition guard (`start` set on the first `running`, `end` on a terminal status, `error_code` from the event),
 * commit info is recorded. `now` stands in for an event time that does not parse.
 */
export function applyRunnerBatch(changes: TaskChangeSet, batch: TaskEventBatch, now: Date): void {
  const row = changes.row;
  for (const event of batch.events) {
    switch (event.type) {
      case 'log':
        changes.lines.push({
          taskId: row.id,
          seq: event.seq,
          time: parseEventTime(event.time) ?? now,
          output: event.output,
        });
        changes.maxSeq = Math.max(changes.maxSeq, event.seq);
        break;
      case 'status': {
        if (!acceptsTransition(row.status, event.status)) break;
        const time = parseEventTime(event.time) ?? now;
        row.status = event.status;
        if (event.status === TaskStatus.Running && row.start === null) row.start = time;
        if (isFinishedStatus(event.status)) row.end = time;
        if (event.errorCode) row.errorCode = event.errorCode;
        changes.statusChanged = true;
        changes.fieldsChanged = true;
        break;
      }
      case 'commit':
        row.commitHash = event.hash;
        row.commitMessage = event.message;
        changes.fieldsChanged = true;
        break;
      case 'progress':
        row.progress = progressOf(event, now);
        changes.fieldsChanged = true;
        break;
      default:
        // update events never come from runners.
        break;
    }
  }
}

function finiteOrNull(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A progress event as the task's `progress` field (API names; the batch parser checked the types). */
export function progressOf(event: Extract<TaskEvent, { type: 'progress' }>, now: Date): TaskProgress {
  return {
    time: (parseEventTime(event.time) ?? now).toISOString(),
    bytes_done: finiteOrNull(event.bytesDone),
    bytes_total: finiteOrNull(event.bytesTotal),
    files_done: finiteOrNull(event.filesDone),
    files_total: finiteOrNull(event.filesTotal),
    rate: finiteOrNull(event.rate),
    eta: finiteOrNull(event.eta),
    paused: event.paused === true,
  };
}
