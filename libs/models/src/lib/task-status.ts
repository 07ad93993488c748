/** Task statuses, as stored in `task.status` and sent on the wire (reference §3.1, plus newest upstream's `rejected`). */
export enum TaskStatus {
  Waiting = 'waiting',
  Starting = 'starting',
  WaitingConfirmation = 'waiting_confirmation',
  Confirmed = 'confirmed',
  Rejected = 'rejected',
  Running = 'running',
  Stopping = 'stopping',
  Stopped = 'stopped',
  Success = 'success',
  Error = 'error',
}

export const TASK_STATUSES: readonly TaskStatus[] = Object.values(TaskStatus);

const FINISHED = new Set<TaskStatus>([TaskStatus.Stopped, TaskStatus.Success, TaskStatus.Error, TaskStatus.Rejected]);
const NOTIFIABLE = new Set<TaskStatus>([TaskStatus.Success, TaskStatus.Error, TaskStatus.WaitingConfirmation]);

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value);
}

/** stopped, success, error and rejected: the task will not change any more. */
export function isFinishedStatus(status: TaskStatus): boolean {
  return FINISHED.has(status);
}

/** success, error and waiting_confirmation trigger notifications. */
export function isNotifiableStatus(status: TaskStatus): boolean {
  return NOTIFIABLE.has(status);
}
