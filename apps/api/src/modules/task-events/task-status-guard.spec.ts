import { TASK_STATUSES, TaskStatus } from '@semaphore/models';
import { acceptsTransition } from './task-status-guard';

const S = TaskStatus;
const TERMINAL = [S.Success, S.Error, S.Stopped, S.Rejected];

describe('acceptsTransition (reference §3.1, with success/error/rejected terminal)', () => {
  it.each(TASK_STATUSES.map((s) => [s]))('%s -> %s itself is a no-op', (s) => {
    expect(acceptsTransition(s, s)).toBe(false);
  });

  it.each(TERMINAL.flatMap((from) => TASK_STATUSES.map((to) => [from, to])))(
    'a finished task is never left: %s -> %s ignored',
    (from, to) => {
      expect(acceptsTransition(from, to)).toBe(false);
    },
  );

  it.each([
    [S.Confirmed, S.WaitingConfirmation],
    [S.Running, S.Waiting],
    [S.Stopping, S.Waiting],
    [S.Stopping, S.Running],
  ])('upstream guard: %s -> %s ignored', (from, to) => {
    expect(acceptsTransition(from, to)).toBe(false);
  });

  it.each([
    [S.Waiting, S.Starting],
    [S.Starting, S.Running],
    [S.Running, S.Success],
    [S.Running, S.Error],
    [S.Running, S.WaitingConfirmation],
    [S.WaitingConfirmation, S.Confirmed],
    [S.WaitingConfirmation, S.Rejected],
    [S.Confirmed, S.Running],
    [S.Running, S.Stopping],
    [S.Stopping, S.Stopped],
    [S.Stopping, S.Error],
    [S.Stopping, S.Success],
    [S.Starting, S.Error],
    [S.Confirmed, S.Waiting],
  ])('accepted: %s -> %s', (from, to) => {
    expect(acceptsTransition(from, to)).toBe(true);
  });
});
