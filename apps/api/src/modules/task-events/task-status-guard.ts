import { TaskStatus, isFinishedStatus } from '@semaphore/models';

/**
 * Whether a task in status `from` may move to `to` on a runner's report (upstream `TaskRunner.SetStatus`, reference
 * §3.1):
 * - the same status is a no-op;
 * - from `confirmed`, `waiting_confirmation` is ignored;
 * - from `running`, `waiting` is ignored;
 * - from `stopping`, `waiting` and `running` are ignored;
 * - from `stopped`, everything is ignored.
 *
 * Deviation from upstream: `success`, `error` and `rejected` are terminal as well. Upstream lets a later status
 * overwrite `success`/`error` because one process owned the task; here reports come from runners through a stream,
 * and a late or duplicated report (a redelivered entry, a runner that lost its claim, the reconciler's RUNNER_LOST)
 * must not reopen a finished task whose slot was already released.
 */
export function acceptsTransition(from: TaskStatus, to: TaskStatus): boolean {
  if (from === to) return false;
  if (isFinishedStatus(from)) return false;
  if (from === TaskStatus.Confirmed && to === TaskStatus.WaitingConfirmation) return false;
  if (from === TaskStatus.Running && to === TaskStatus.Waiting) return false;
  if (from === TaskStatus.Stopping && (to === TaskStatus.Waiting || to === TaskStatus.Running)) return false;
  return true;
}
