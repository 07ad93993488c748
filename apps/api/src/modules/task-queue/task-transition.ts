import { isFinishedStatus, TaskStatus } from '@semaphore/models';

/**
 * Upstream's status transition guard (reference §3.1, `TaskRunner.SetStatus`), plus `rejected` as terminal (newest
 * upstream). Returns whether `from -> to` is applied:
 * - the same status is a no-op (false);
 * - `stopped` and `rejected` accept nothing;
 * - `confirmed` ignores `waiting_confirmation`, `running` ignores `waiting`, `stopping` ignores `waiting` and `running`.
 * `success` and `error` can be overwritten, as upstream (the api itself refuses to stop or confirm finished tasks).
 */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return false;
  switch (from) {
    case TaskStatus.Stopped:
    case TaskStatus.Rejected:
      return false;
    case TaskStatus.Confirmed:
      return to !== TaskStatus.WaitingConfirmation;
    case TaskStatus.Running:
      return to !== TaskStatus.Waiting;
    case TaskStatus.Stopping:
      return to !== TaskStatus.Waiting && to !== TaskStatus.Running;
    default:
      return true;
  }
}

export interface StatusTimes {
  start: Date | null;
  end: Date | null;
}

/** `start` is set when the task starts running (kept if set), `end` when it reaches a terminal status. */
export function timesAfter(to: TaskStatus, current: StatusTimes, now: Date): StatusTimes {
  return {
    start: to === TaskStatus.Running && current.start === null ? now : current.start,
    end: isFinishedStatus(to) ? (current.end ?? now) : current.end,
  };
}
